import { GatewayError } from '../common/errors';
import { configProblem, toolsForConfig, type McpServerConfig } from './policy';

/** A config the shared policy accepts (GatewayError INVALID_INPUT naming the key otherwise). */
export function wellFormedConfig(config: unknown): McpServerConfig {
  const problem = configProblem(config);
  if (problem) {
    const key = /^config\.(\w+)/.exec(problem)?.[1];
    throw GatewayError.invalid(problem, { field: key ? `config.${key}` : 'config' });
  }
  return (config ?? {}) as McpServerConfig;
}

/** A well-formed config that lists at least one tool (what creating or changing a server needs). */
export function checkedConfig(config: unknown): McpServerConfig {
  const c = wellFormedConfig(config);
  if (toolsForConfig(c).length === 0) {
    throw GatewayError.invalid(
      'config matches no tool: no tool has these methods and tags',
      { field: 'config' },
      'Preview a config with GET /integrated-account/:id/tools?methods=…&tags=…',
    );
  }
  return c;
}
