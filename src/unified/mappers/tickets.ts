import { z } from 'zod';
import {
  defineMapper,
  direct,
  namedField,
  nativeFilter,
  ownerOf,
  readOnly,
  ref,
  refField,
  s,
  str,
  tagsField,
  type Native,
} from './kit';

/**
 * Truto's normalized ticket statuses that Planhat's helpdesk statuses map onto. Planhat keeps the
 * helpdesk's own status string: it is the status `id`; the normalized value is its `name`.
 */
export const TICKET_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

const NORMALIZE: Record<string, TicketStatus> = {
  new: 'open',
  open: 'open',
  'in progress': 'open',
  in_progress: 'open',
  pending: 'pending',
  waiting: 'pending',
  hold: 'pending',
  'on hold': 'pending',
  on_hold: 'pending',
  solved: 'resolved',
  resolved: 'resolved',
  closed: 'closed',
  done: 'closed',
};

/** The normalized status of a raw Planhat/helpdesk status; unknown values count as open. */
export function normalizeTicketStatus(raw: unknown): TicketStatus {
  return (typeof raw === 'string' && NORMALIZE[raw.trim().toLowerCase()]) || 'open';
}

/** The raw status written for a normalized one. */
const DENORMALIZE: Record<TicketStatus, string> = {
  open: 'open',
  pending: 'pending',
  resolved: 'solved',
  closed: 'closed',
};

const statusSchema = z
  .strictObject({
    id: z.string().min(1).optional().describe('Raw status stored in Planhat (e.g. solved); wins over name'),
    name: z.enum(TICKET_STATUSES).optional().describe('Normalized status: open, pending, resolved or closed'),
  })
  .refine((v) => v.id !== undefined || v.name !== undefined, 'give status.id or status.name')
  .describe('Status: {name: normalized status} or {id: raw helpdesk status}');

const enduserIds = (n: Native): string[] =>
  Array.isArray(n.endusers) ? (n.endusers as unknown[]).flatMap((e) => (ref(e) ? [ref(e)!.id] : [])) : [];

/** Ticketing tickets ← Planhat tickets (conversations of type ticket). */
export const ticketMapper = defineMapper({
  fields: [
    ...direct([
      ['name', 'title', s.str('Subject')],
      ['description', 'description', s.text('Description')],
      ['ticket_url', 'url', s.str('Link to the ticket in the helpdesk')],
      ['number', 'sourceId'],
      ['custom_fields', 'custom', s.custom()],
      ['created_at', 'createDate'],
      ['updated_at', 'updateDate'],
    ]),
    namedField('priority', 'severity', 'Priority, e.g. low, normal, high, urgent'),
    {
      ...readOnly(namedField('ticket_type', 'type', 'Ticket type')),
      note: 'read-only, {id, name} = the helpdesk type (question, incident, ...); the conversation type "ticket" is none',
      read: (n: Native) =>
        typeof n.type === 'string' && n.type !== '' && n.type !== 'ticket' ? { id: n.type, name: n.type } : undefined,
    },
    tagsField('tags', 'tags'),
    {
      unified: 'completed_at',
      native: 'updateDate (when resolved or closed)',
      note: 'read-only: the last update of a resolved or closed ticket (Planhat keeps no close date)',
      reads: ['status', 'updateDate'],
      read: (n) => {
        const st = normalizeTicketStatus(n.status);
        return (st === 'resolved' || st === 'closed') && typeof n.updateDate === 'string' ? n.updateDate : undefined;
      },
    },
    {
      unified: 'status',
      native: 'status',
      sortable: true,
      note: 'id = raw Planhat status, name = normalized (open|pending|resolved|closed)',
      schema: statusSchema,
      reads: ['status'],
      read: (n) => (typeof n.status === 'string' ? { id: n.status, name: normalizeTicketStatus(n.status) } : undefined),
      write: (v, out) => {
        const st = v as { id?: string; name?: TicketStatus };
        out.status = st.id ?? DENORMALIZE[st.name as TicketStatus];
      },
    },
    refField('account', 'companyId', 'Account'),
    {
      unified: 'contact',
      native: 'email (endusers[0])',
      note: "the requester: email, and id when Planhat links an enduser; a write with only an id takes that contact's email",
      schema: z
        .strictObject({
          id: z
            .string()
            .min(1)
            .optional()
            .describe('Contact id; the ticket takes its email (and account when none is given)'),
          email: z.string().min(1).optional().describe('Requester email (Planhat needs one per ticket)'),
        })
        .describe('Requester: {id} of a contact or {email}'),
      reads: ['endusers', 'endUserId', 'email'],
      read: (n: Native) => {
        const id = enduserIds(n)[0] ?? str(n, 'endUserId');
        const email = str(n, 'email');
        return id || email ? { ...(id ? { id } : {}), ...(email ? { email } : {}) } : undefined;
      },
      write: (v, out) => {
        const c = v as { email?: string };
        if (c.email) out.email = c.email;
      },
    },
    {
      unified: 'created_by',
      native: 'endusers[0]',
      note: 'read-only: {id, type: contact}, the requester',
      reads: ['endusers', 'endUserId'],
      read: (n: Native) => {
        const id = enduserIds(n)[0] ?? str(n, 'endUserId');
        return id ? { id, type: 'contact' } : undefined;
      },
    },
    {
      unified: 'additional_contacts',
      native: 'endusers[1..]',
      note: 'read-only: [{id}] of the other endusers linked',
      reads: ['endusers'],
      read: (n: Native) =>
        enduserIds(n)
          .slice(1)
          .map((id) => ({ id })),
    },
    {
      unified: 'assignees',
      native: 'users[]',
      note: 'read-only, [{id, name}] of the team members',
      reads: ['users'],
      read: (n) =>
        Array.isArray(n.users) ? (n.users as unknown[]).flatMap((u) => (ownerOf(u) ? [ownerOf(u)!] : [])) : [],
    },
  ],
  required: ['name'],
  filters: {
    status: {
      schema: z
        .string()
        .refine(
          (v) => v.split(',').every((x) => (TICKET_STATUSES as readonly string[]).includes(x.trim())),
          `must be one or more of ${TICKET_STATUSES.join(', ')}, comma-separated`,
        )
        .describe(
          `Tickets with this normalized status (${TICKET_STATUSES.join('|')}; comma-separated for several; applied by the gateway)`,
        ),
      test: (n, value) =>
        value
          .split(',')
          .map((x) => x.trim())
          .includes(normalizeTicketStatus(n.status)),
    },
    account_id: nativeFilter('companyId', 'Tickets of this account (Planhat companyId filter)'),
  },
});
