import { z } from 'zod';
import { defineMapper, direct, nativeFilter, refField, s, str, type Native } from './kit';

/** Unified ticket statuses. Planhat keeps the helpdesk's own status string. */
export const TICKET_STATUSES = ['open', 'pending', 'on_hold', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

const NORMALIZE: Record<string, TicketStatus> = {
  new: 'open',
  open: 'open',
  'in progress': 'open',
  in_progress: 'open',
  pending: 'pending',
  waiting: 'pending',
  hold: 'on_hold',
  'on hold': 'on_hold',
  on_hold: 'on_hold',
  solved: 'closed',
  resolved: 'closed',
  closed: 'closed',
  done: 'closed',
};

/** The unified status of a raw Planhat/helpdesk status; unknown values count as open. */
export function normalizeTicketStatus(raw: unknown): TicketStatus {
  return (typeof raw === 'string' && NORMALIZE[raw.trim().toLowerCase()]) || 'open';
}

const DENORMALIZE: Record<TicketStatus, string> = { open: 'open', pending: 'pending', on_hold: 'hold', closed: 'closed' };

const statusSchema = z
  .strictObject({
    id: z.enum(TICKET_STATUSES).optional().describe('Unified status: open, pending, on_hold or closed'),
    name: z.string().min(1).optional().describe('Raw status stored in Planhat (e.g. solved); wins over id'),
  })
  .refine((v) => v.id !== undefined || v.name !== undefined, 'give status.id or status.name')
  .describe('Status: {id: unified status} or {name: raw helpdesk status}');

/** Ticketing tickets ← Planhat tickets (conversations of type ticket). */
export const ticketMapper = defineMapper({
  fields: [
    ...direct([
      ['name', 'title', s.str('Subject')],
      ['description', 'description', s.text('Description')],
      ['priority', 'severity', s.str('Priority, e.g. low, normal, high, urgent')],
      ['ticket_type', 'type', s.str('Ticket type, e.g. question, incident, problem, task')],
      ['tags', 'tags', s.strs('Tags')],
      ['ticket_url', 'url', s.str('Link to the ticket in the helpdesk')],
      ['custom_fields', 'custom', s.custom()],
      ['created_at', 'createDate'],
      ['updated_at', 'updateDate'],
    ]),
    {
      unified: 'status',
      native: 'status',
      sortable: true,
      note: 'id = unified (open|pending|on_hold|closed), name = raw Planhat status',
      schema: statusSchema,
      reads: ['status'],
      read: (n) => (n.status === undefined ? undefined : { id: normalizeTicketStatus(n.status), name: n.status }),
      write: (v, out) => {
        const st = v as { id?: TicketStatus; name?: string };
        out.status = st.name ?? DENORMALIZE[st.id as TicketStatus];
      },
    },
    refField('account', 'companyId', 'Account'),
    {
      unified: 'contact',
      native: 'email (endusers[0])',
      note: 'the requester: email, and id when Planhat links an enduser; a write with only an id takes that contact\'s email',
      schema: z
        .strictObject({
          id: z.string().min(1).optional().describe('Contact id; the ticket takes its email (and account when none is given)'),
          email: z.string().min(1).optional().describe('Requester email (Planhat needs one per ticket)'),
        })
        .describe('Requester: {id} of a contact or {email}'),
      reads: ['endusers', 'endUserId', 'email'],
      read: (n: Native) => {
        const id = Array.isArray(n.endusers) && typeof n.endusers[0] === 'string' ? (n.endusers[0] as string) : str(n, 'endUserId');
        const email = str(n, 'email');
        return id || email ? { ...(id ? { id } : {}), ...(email ? { email } : {}) } : undefined;
      },
      write: (v, out) => {
        const c = v as { email?: string };
        if (c.email) out.email = c.email;
      },
    },
    {
      unified: 'assignees',
      native: 'users[].id',
      note: 'read-only',
      reads: ['users'],
      read: (n) =>
        Array.isArray(n.users) ? (n.users as unknown[]).flatMap((u) => (u && typeof u === 'object' && typeof (u as Native).id === 'string' ? [{ id: (u as Native).id }] : [])) : [],
    },
  ],
  required: ['name'],
  filters: {
    status: {
      schema: z
        .string()
        .refine((v) => v.split(',').every((x) => (TICKET_STATUSES as readonly string[]).includes(x.trim())), `must be one or more of ${TICKET_STATUSES.join(', ')}, comma-separated`)
        .describe(`Tickets with this unified status (${TICKET_STATUSES.join('|')}; comma-separated for several; applied by the gateway)`),
      test: (n, value) => value.split(',').map((x) => x.trim()).includes(normalizeTicketStatus(n.status)),
    },
    account_id: nativeFilter('companyId', 'Tickets of this account (Planhat companyId filter)'),
  },
});
