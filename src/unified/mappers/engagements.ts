import { z } from 'zod';
import { defineMapper, direct, nativeFilter, refField, s, type Native } from './kit';
import { contactsFromEndusers, ownerFromUsers } from './conversation-fields';

/** Planhat reserves these conversation types for its integrations: they cannot be created over the API. */
export const RESERVED_CONVERSATION_TYPES = ['email', 'chat', 'ticket', 'call'] as const;

const time = (n: Native, k: string) => (typeof n[k] === 'string' ? Date.parse(n[k] as string) : NaN);

/** CRM engagements ← Planhat conversations (notes, emails, calls, meetings, ...), in Truto's shape. */
export const engagementMapper = defineMapper({
  fields: [
    ...direct([
      ['subject', 'subject', s.str('Subject')],
      ['content', 'description', s.text('Body')],
      ['start_time', 'date', s.date('When it started')],
      ['end_time', 'outDate', s.date('When it ended (Planhat outDate)')],
      ['custom_fields', 'custom', s.custom()],
      ['created_at', 'createDate'],
      ['updated_at', 'updatedAt'],
    ]),
    {
      unified: 'engagement_type',
      native: 'type',
      sortable: true,
      note: 'the Planhat conversation type (note, email, call, meeting, chat, ...)',
      schema: z
        .string()
        .min(1)
        .refine(
          (t) => !(RESERVED_CONVERSATION_TYPES as readonly string[]).includes(t),
          `Planhat does not accept the types ${RESERVED_CONVERSATION_TYPES.join(', ')} over its API`,
        )
        .describe(
          'Engagement type: a conversation type of the tenant, e.g. note or meeting (not email, chat, ticket, call)',
        ),
      reads: ['type'],
      read: (n) => (typeof n.type === 'string' ? n.type : undefined),
      write: (v, out) => {
        out.type = v;
      },
    },
    {
      unified: 'duration',
      native: 'outDate - date',
      note: 'read-only: seconds from start_time to end_time, when both are set',
      reads: ['date', 'outDate'],
      read: (n) => {
        const d = (time(n, 'outDate') - time(n, 'date')) / 1000;
        return Number.isFinite(d) && d >= 0 ? Math.round(d) : undefined;
      },
    },
    refField('account', 'companyId', 'Account'),
    contactsFromEndusers,
    ownerFromUsers,
  ],
  required: ['account'],
  filters: {
    account_id: nativeFilter('companyId', 'Engagements of this account (Planhat companyId filter)'),
    engagement_type: nativeFilter('type', 'Engagements of this type, e.g. note, email, call (Planhat type filter)'),
    type: nativeFilter('type', 'Alias of engagement_type (Planhat type filter)'),
  },
});
