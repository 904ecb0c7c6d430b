import type { ModelKey } from '../planhat/catalog';

/**
 * The unified resources (docs/contract.md §7): which normalized model maps onto which Planhat model, and
 * which operations exist. The unified routes, the unified MCP tools and the policy all read this list.
 */
export type UnifiedApi = 'crm' | 'ticketing';
export type UnifiedOp = 'list' | 'get' | 'create' | 'update' | 'delete';

export interface UnifiedResourceDef {
  readonly api: UnifiedApi;
  /** Plural resource name in the route: `/unified/<api>/<resource>`. */
  readonly resource: string;
  /** Singular, for tool names (`get_single_crm_account_by_id`). */
  readonly one: string;
  /** The Planhat model behind it. */
  readonly native: ModelKey;
  readonly ops: readonly UnifiedOp[];
  readonly summary: string;
}

const ALL: readonly UnifiedOp[] = ['list', 'get', 'create', 'update', 'delete'];
const READ: readonly UnifiedOp[] = ['list', 'get'];

export const UNIFIED_RESOURCES: readonly UnifiedResourceDef[] = [
  {
    api: 'crm',
    resource: 'accounts',
    one: 'account',
    native: 'companies',
    ops: ALL,
    summary: 'CRM accounts (Planhat companies)',
  },
  {
    api: 'crm',
    resource: 'contacts',
    one: 'contact',
    native: 'endusers',
    ops: ALL,
    summary: 'CRM contacts (Planhat endusers)',
  },
  {
    api: 'crm',
    resource: 'users',
    one: 'user',
    native: 'users',
    ops: ALL,
    summary: 'CRM users (Planhat team members)',
  },
  {
    api: 'crm',
    resource: 'opportunities',
    one: 'opportunity',
    native: 'opportunities',
    ops: ALL,
    summary: 'CRM opportunities (Planhat opportunities)',
  },
  { api: 'crm', resource: 'tasks', one: 'task', native: 'tasks', ops: ALL, summary: 'CRM tasks (Planhat tasks)' },
  {
    api: 'crm',
    resource: 'notes',
    one: 'note',
    native: 'conversations',
    ops: ALL,
    summary: 'CRM notes (Planhat conversations of type note)',
  },
  {
    api: 'crm',
    resource: 'engagements',
    one: 'engagement',
    native: 'conversations',
    ops: ALL,
    summary: 'CRM engagements (Planhat conversations: emails, calls, meetings, notes)',
  },
  {
    api: 'crm',
    resource: 'fields',
    one: 'field',
    native: 'custom_fields',
    ops: READ,
    summary: 'CRM fields (Planhat custom field definitions)',
  },
  {
    api: 'crm',
    resource: 'projects',
    one: 'project',
    native: 'projects',
    ops: ALL,
    summary: 'CRM projects (Planhat projects)',
  },
  {
    api: 'ticketing',
    resource: 'tickets',
    one: 'ticket',
    native: 'tickets',
    ops: ALL,
    summary: 'Ticketing tickets (Planhat tickets)',
  },
  {
    api: 'ticketing',
    resource: 'accounts',
    one: 'account',
    native: 'companies',
    ops: READ,
    summary: 'Ticketing accounts (Planhat companies)',
  },
  {
    api: 'ticketing',
    resource: 'contacts',
    one: 'contact',
    native: 'endusers',
    ops: READ,
    summary: 'Ticketing contacts (Planhat endusers)',
  },
  {
    api: 'ticketing',
    resource: 'users',
    one: 'user',
    native: 'users',
    ops: ['list', 'get', 'update'],
    summary: 'Ticketing users (Planhat team members)',
  },
  {
    api: 'ticketing',
    resource: 'fields',
    one: 'field',
    native: 'custom_fields',
    ops: READ,
    summary: 'Ticketing fields (Planhat custom field definitions)',
  },
  {
    api: 'ticketing',
    resource: 'workspaces',
    one: 'workspace',
    native: 'workspaces',
    ops: READ,
    summary: 'Ticketing workspaces (Planhat workspaces)',
  },
  {
    api: 'ticketing',
    resource: 'collections',
    one: 'collection',
    native: 'projects',
    ops: READ,
    summary: 'Ticketing collections (Planhat projects, type project)',
  },
];

export function findUnifiedResource(api: string, resource: string): UnifiedResourceDef | undefined {
  return UNIFIED_RESOURCES.find((r) => r.api === api && r.resource === resource);
}

/** Tool name of a unified operation (docs/contract.md §5). */
export function unifiedToolName(r: UnifiedResourceDef, op: UnifiedOp): string {
  const many = `${r.api}_${r.resource}`;
  const one = `${r.api}_${r.one}`;
  switch (op) {
    case 'list':
      return `list_all_${many}`;
    case 'get':
      return `get_single_${one}_by_id`;
    case 'create':
      return `create_a_${one}`;
    case 'update':
      return `update_a_${one}_by_id`;
    case 'delete':
      return `delete_a_${one}_by_id`;
  }
}
