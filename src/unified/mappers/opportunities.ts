import { z } from 'zod';
import { defineMapper, direct, nativeFilter, refField, s } from './kit';

export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost'] as const;
const TO_UNIFIED: Record<string, (typeof OPPORTUNITY_STATUSES)[number]> = { active: 'open', won: 'won', lost: 'lost' };
const TO_NATIVE: Record<(typeof OPPORTUNITY_STATUSES)[number], string> = { open: 'active', won: 'won', lost: 'lost' };

/** CRM opportunities ← Planhat opportunities. */
export const opportunityMapper = defineMapper({
  fields: [
    ...direct([
      ['name', 'title', s.str('Opportunity name')],
      ['amount', 'arr', s.num('Annual value (Planhat arr)')],
      ['currency', '_currency', s.str('Currency code, e.g. USD')],
      ['close_date', 'closeDate', s.date('Close date')],
      ['custom_fields', 'custom', s.custom()],
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
    ]),
    {
      unified: 'stage',
      native: 'salesStage',
      sortable: true,
      note: '{id, name} = the stage name',
      schema: z
        .strictObject({ id: z.string().min(1).describe('Stage name, e.g. Discovery, Proposal') })
        .describe('Sales stage: {id}'),
      reads: ['salesStage'],
      read: (n) => (typeof n.salesStage === 'string' ? { id: n.salesStage, name: n.salesStage } : undefined),
      write: (v, out) => {
        out.salesStage = (v as { id: string }).id;
      },
    },
    {
      unified: 'status',
      native: 'status',
      sortable: true,
      note: 'active ↔ open, won, lost',
      schema: z.enum(OPPORTUNITY_STATUSES).describe('open, won or lost'),
      reads: ['status'],
      read: (n) => (typeof n.status === 'string' ? (TO_UNIFIED[n.status] ?? n.status) : undefined),
      write: (v, out) => {
        out.status = TO_NATIVE[v as (typeof OPPORTUNITY_STATUSES)[number]];
      },
    },
    refField('owner', 'ownerId', 'Owner (a user)'),
    refField('account', 'companyId', 'Account'),
  ],
  required: ['account'],
  filters: { account_id: nativeFilter('companyId', 'Opportunities of this account (Planhat companyId filter)') },
});
