import { Injectable, OnModuleInit } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AppConfig } from '../config/app-config';
import { McpRegistryService } from './mcp-nest';
import { CallNotifier } from './notifications';

/** The fixture tool's name, as the official suite's tools-call-with-progress scenario calls it. */
export const PROGRESS_FIXTURE_TOOL = 'test_tool_with_progress';
const STEPS = 3;
const STEP_MS = 50;

/**
 * The one fixture of the official MCP conformance suite the gateway serves, and only with
 * MCP_CONFORMANCE_FIXTURE=true (off by default, refused in production; scripts/ci/conformance.sh
 * turns it on). The suite's tools-call-with-progress scenario calls a tool of this name and checks
 * that progress notifications reach its client; a gateway has no such tool of its own, so this one
 * reports three steps (~50 ms apart, as the suite describes) through the same path as every tool's
 * progress (CallNotifier, the tools/call hook, the SSE answer of Streamable HTTP). It reads and
 * writes nothing. Registered at run time through mcp-nest's registry, so without the flag it does
 * not exist at all (tools/list, tools/call and the registry are unchanged).
 */
@Injectable()
export class ConformanceFixture implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: McpRegistryService,
  ) {}

  onModuleInit(): void {
    if (!this.config.mcpConformanceFixture) return;
    this.registry.registerTool({
      name: PROGRESS_FIXTURE_TOOL,
      description:
        'MCP conformance fixture (MCP_CONFORMANCE_FIXTURE=true only): reports three progress steps, ~50 ms apart, and reads nothing.',
      parameters: z.object({}),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async (): Promise<CallToolResult> => {
        for (let step = 1; step <= STEPS; step++) {
          if (step > 1) await new Promise((resolve) => setTimeout(resolve, STEP_MS));
          CallNotifier.current()?.progress(`step ${step} of ${STEPS}`, STEPS);
        }
        return { content: [{ type: 'text', text: `${PROGRESS_FIXTURE_TOOL}: ${STEPS} steps done` }] };
      },
    });
  }
}
