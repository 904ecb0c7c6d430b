import { LRUCache } from 'lru-cache';
import { OPERATIONS } from '../../planhat/catalog';
import { toolIndex, type IndexedTool } from './tool-index';

export * from './tool-index';

/**
 * MCP server policies (docs/contract.md §4): methods AND tags select tools; tool_exposure decides whether
 * they are listed directly or reached through meta-tools. Pure functions over the tool index, used
 * by the admin API (validation, previews) and by the MCP endpoint on every request.
 */
export const TOOL_EXPOSURES = ['all', 'discovery', 'model_actions'] as const;
export type ToolExposure = (typeof TOOL_EXPOSURES)[number];

export interface McpServerConfig {
  methods?: string[];
  tags?: string[];
  tool_exposure?: ToolExposure;
  require_api_token_auth?: boolean;
}

export interface ToolSummary {
  name: string;
  description: string;
  method: string;
  tags: string[];
  resource: string;
  annotations: Record<string, boolean | string>;
}

const METHOD_CLASSES = ['read', 'write', 'custom'];
const METHOD_NAMES: readonly string[] = [...METHOD_CLASSES, ...OPERATIONS];
const CONFIG_KEYS = ['methods', 'tags', 'tool_exposure', 'require_api_token_auth'];

/**
 * A message naming what is wrong with a server config, or undefined when it is well-formed. An
 * omitted key means "no filter"; a present key must hold a usable value (an empty list, null or an
 * unknown value is a problem, never "no filter"), so a policy can only narrow what a server exposes.
 */
export function configProblem(config: unknown): string | undefined {
  if (config === undefined) return undefined;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return 'config must be an object';
  const c = config as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!CONFIG_KEYS.includes(key)) return `config.${key} is not a known setting (use ${CONFIG_KEYS.join(', ')})`;
  }
  if (c.methods !== undefined) {
    if (!Array.isArray(c.methods) || c.methods.some((m) => typeof m !== 'string')) {
      return 'config.methods must be an array of strings';
    }
    if (c.methods.length === 0) return 'config.methods must not be empty (omit it for no method filter)';
    const unknown = (c.methods as string[]).find((m) => !METHOD_NAMES.includes(m));
    if (unknown !== undefined) return `config.methods: unknown method "${unknown}" (use ${METHOD_NAMES.join(', ')})`;
  }
  if (c.tags !== undefined) {
    if (!Array.isArray(c.tags) || c.tags.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 100)) {
      return 'config.tags must be an array of non-empty strings';
    }
    if (c.tags.length === 0) return 'config.tags must not be empty (omit it for no tag filter)';
  }
  if (c.tool_exposure !== undefined && !(TOOL_EXPOSURES as readonly unknown[]).includes(c.tool_exposure)) {
    return `config.tool_exposure must be one of ${TOOL_EXPOSURES.join(', ')}`;
  }
  if (c.require_api_token_auth !== undefined && typeof c.require_api_token_auth !== 'boolean') {
    return 'config.require_api_token_auth must be a boolean';
  }
  return undefined;
}

const problems = new WeakMap<object, string | undefined>();

/**
 * configProblem of a config the policy reads on every MCP request, memoised per config object (a
 * server's config object is cached with it and never changed; ~1.5 µs per check → one lookup).
 */
function problemOf(config: McpServerConfig): string | undefined {
  if (config === null || typeof config !== 'object') return configProblem(config);
  if (problems.has(config)) return problems.get(config);
  const problem = configProblem(config);
  problems.set(config, problem);
  return problem;
}

/** What a stored config that is not a JSON object reads as: a config configProblem refuses, so it allows no tool. */
const UNREADABLE: McpServerConfig = Object.freeze({
  error: 'the stored config is not a JSON object',
}) as unknown as McpServerConfig;

/**
 * A config as stored (JSON text), as the policy reads it. Unparseable text or a non-object reads as a
 * config that allows no tool (every policy function fails closed on a config with a problem).
 */
export function storedConfig(text: string | null | undefined): McpServerConfig {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    return UNREADABLE;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as McpServerConfig) : UNREADABLE;
}

/** Whether a server needs an API token as second factor: when it says so, or when its config is unusable (fail closed). */
export function requiresApiToken(config: McpServerConfig): boolean {
  return problemOf(config) !== undefined || config.require_api_token_auth === true;
}

/** The method and tag filters of a well-formed config (omitted filter = no filter). */
function passes(
  tool: IndexedTool,
  methods: readonly string[] | undefined,
  tags: readonly string[] | undefined,
): boolean {
  if (methods !== undefined && !methods.includes(tool.method) && !methods.includes(tool.op)) return false;
  if (tags !== undefined && !tool.tags.some((t) => tags.includes(t))) return false;
  return true;
}

/**
 * Whether a tool passes the config's method and tag filters (omitted filter = no filter). A config
 * with a problem (empty, null or unknown values, unknown keys, not an object) allows nothing.
 */
export function toolAllowed(tool: IndexedTool, config: McpServerConfig): boolean {
  if (problemOf(config) !== undefined) return false;
  return passes(tool, config.methods, config.tags);
}

/**
 * A key naming what a config exposes, for caches of derived results: equal keys, equal tools. Every
 * config with a problem shares one key (it exposes nothing), never the key of "no filter".
 */
export function policyKey(config: McpServerConfig): string {
  if (problemOf(config) !== undefined) return 'unusable';
  return JSON.stringify([config.methods ?? null, config.tags ?? null, config.tool_exposure ?? 'all']);
}

/** Default of CACHE_POLICIES: distinct policies whose derived tool lists are kept. */
export const DEFAULT_POLICY_CACHE_SIZE = 1_000;

/**
 * The tools each distinct filter allows, keyed by the filter alone: every server of every account
 * with the same methods and tags shares one entry. Least recently used evicted beyond CACHE_POLICIES.
 */
let allowedCache = new LRUCache<string, IndexedTool[]>({ max: DEFAULT_POLICY_CACHE_SIZE });

/** Sets the bound of the per-policy cache (CACHE_POLICIES; the MCP tool registry calls it at boot). */
export function configurePolicyCache(max: number): void {
  if (!Number.isInteger(max) || max < 1) throw new Error(`policy cache size must be a positive integer, got ${max}`);
  if (allowedCache.max === max) return;
  allowedCache = new LRUCache<string, IndexedTool[]>({ max });
}

/** Entries held by the per-policy cache of allowedTools. */
export function policyCacheSize(): number {
  return allowedCache.size;
}

/** The native and unified tools a config allows (memoised per distinct filter; none for a config with a problem). */
export function allowedTools(config: McpServerConfig): IndexedTool[] {
  if (problemOf(config) !== undefined) return [];
  const key = JSON.stringify([config.methods ?? null, config.tags ?? null]);
  let tools = allowedCache.get(key);
  if (!tools) {
    tools = toolIndex().filter((t) => passes(t, config.methods, config.tags));
    allowedCache.set(key, tools);
  }
  return tools;
}

/** The meta-tools of the discovery and model_actions exposures. */
export const META_TOOLS: Record<Exclude<ToolExposure, 'all'>, ToolSummary[]> = {
  discovery: [
    {
      name: 'search_tools',
      description:
        'Find the Planhat tools this server allows: a free-text query (e.g. "overdue invoices", "create opportunity"), optionally narrowed by tags and methods. Returns names, descriptions and methods; then call get_tool_schema and call_tool.',
      method: 'meta',
      tags: ['meta'],
      resource: 'tools',
      annotations: {
        title: 'Search tools',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    {
      name: 'get_tool_schema',
      description: 'Get the input JSON Schema and annotations of one tool found with search_tools.',
      method: 'meta',
      tags: ['meta'],
      resource: 'tools',
      annotations: {
        title: 'Get tool schema',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    {
      name: 'call_tool',
      description:
        'Call one tool by name with its arguments (an object matching get_tool_schema). The server policy applies.',
      method: 'meta',
      tags: ['meta'],
      resource: 'tools',
      annotations: {
        title: 'Call a tool',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
  ],
  model_actions: [
    {
      name: 'get_model_actions',
      description:
        'List the Planhat model routes (e.g. companies, endusers) and the operations (list, view, create, update, delete) this server allows on each.',
      method: 'meta',
      tags: ['meta'],
      resource: 'models',
      annotations: {
        title: 'Get model actions',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    {
      name: 'get_model_action_parameters',
      description:
        'Get the JSON Schema of the parameters for one MODEL_ROUTE (e.g. Companies) and OPERATION (list, view, create, update, delete).',
      method: 'meta',
      tags: ['meta'],
      resource: 'models',
      annotations: {
        title: 'Get model action parameters',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    {
      name: 'perform_model_action',
      description:
        'Perform an operation on a Planhat model: MODEL_ROUTE (e.g. companies), OPERATION (list, view, create, update, delete) and PARAMETERS, a JSON string with the operation data (see get_model_action_parameters). The server policy applies.',
      method: 'meta',
      tags: ['meta'],
      resource: 'models',
      annotations: {
        title: 'Perform model action',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
  ],
};

function summary(t: IndexedTool): ToolSummary {
  return {
    name: t.name,
    description: t.description,
    method: t.method,
    tags: t.tags,
    resource: t.resource,
    annotations: { ...t.annotations },
  };
}

/**
 * Exactly what an MCP server with this config lists on tools/list (empty = the config matches
 * nothing), from the tools its method and tag filters allow: by default those of the catalog's
 * tool index; the MCP module passes the ones mcp-nest's registry holds (McpToolRegistry).
 */
export function toolsForConfig(
  config: McpServerConfig,
  allowed: readonly IndexedTool[] = allowedTools(config),
): ToolSummary[] {
  if (allowed.length === 0) return [];
  const exposure = config.tool_exposure ?? 'all';
  if (exposure === 'all') return allowed.map(summary);
  if (exposure === 'discovery') return allowed.length > 0 ? META_TOOLS.discovery : [];
  // undo_change takes the change_id a perform_model_action write returns: listed beside the model
  // actions when the policy allows it (discovery servers reach it through call_tool), first, as in
  // mcp-nest's registry (its tools/list order).
  if (!allowed.some((t) => t.kind === 'native')) return [];
  return [...allowed.filter((t) => t.kind === 'safety').map(summary), ...META_TOOLS.model_actions];
}
