import type { UnifiedResourceDef } from '../unified-resources';
import { accountMapper, ticketingAccountMapper } from './accounts';
import { contactMapper, ticketingContactMapper } from './contacts';
import { engagementMapper } from './engagements';
import { fieldMapper } from './fields';
import type { UnifiedMapper } from './kit';
import { noteMapper } from './notes';
import { opportunityMapper } from './opportunities';
import { collectionMapper, projectMapper, workspaceMapper } from './projects';
import { taskMapper } from './tasks';
import { ticketMapper } from './tickets';
import { ticketingUserMapper, userMapper } from './users';

export * from './kit';

/** Every unified resource's mapper, keyed `<api>/<resource>` (the keys of UNIFIED_RESOURCES). */
export const MAPPERS = {
  'crm/accounts': accountMapper,
  'crm/contacts': contactMapper,
  'crm/users': userMapper,
  'crm/opportunities': opportunityMapper,
  'crm/tasks': taskMapper,
  'crm/notes': noteMapper,
  'crm/engagements': engagementMapper,
  'crm/fields': fieldMapper,
  'crm/projects': projectMapper,
  'ticketing/tickets': ticketMapper,
  'ticketing/accounts': ticketingAccountMapper,
  'ticketing/contacts': ticketingContactMapper,
  'ticketing/users': ticketingUserMapper,
  'ticketing/fields': fieldMapper,
  'ticketing/workspaces': workspaceMapper,
  'ticketing/collections': collectionMapper,
} as const satisfies Record<string, UnifiedMapper>;

export type UnifiedKey = keyof typeof MAPPERS;

export function mapperOf(def: Pick<UnifiedResourceDef, 'api' | 'resource'>): UnifiedMapper {
  const m = (MAPPERS as Record<string, UnifiedMapper>)[`${def.api}/${def.resource}`];
  if (!m) throw new Error(`no mapper for ${def.api}/${def.resource}`);
  return m;
}
