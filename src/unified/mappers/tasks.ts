import { z } from 'zod';
import { defineMapper, direct, nativeFilter, refField, s } from './kit';

export const TASK_STATUSES = ['open', 'completed'] as const;

/** CRM tasks ← Planhat tasks (mainType task). */
export const taskMapper = defineMapper({
  fields: [
    ...direct([
      ['title', 'action', s.str('Title')],
      ['description', 'description', s.text('Description')],
      ['due_date', 'endTime', s.date('Due date')],
      ['completed_at', 'dateDone', s.date('When it was completed')],
      ['custom_fields', 'custom', s.custom()],
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
    ]),
    {
      unified: 'status',
      native: 'status, isArchived',
      note: 'completed when archived or status done/completed; writes status and isArchived',
      schema: z.enum(TASK_STATUSES).describe('open or completed'),
      reads: ['isArchived', 'status'],
      read: (n) => (n.isArchived === true || n.status === 'done' || n.status === 'completed' ? 'completed' : 'open'),
      write: (v, out) => {
        out.status = v === 'completed' ? 'done' : 'open';
        out.isArchived = v === 'completed';
      },
    },
    refField('owner', 'ownerId', 'Owner (a user)'),
    refField('account', 'companyId', 'Account'),
  ],
  required: ['account'],
  filters: { account_id: nativeFilter('companyId', 'Tasks of this account (Planhat companyId filter)') },
  createDefaults: (n) => ({ ...n, mainType: n.mainType ?? 'task' }),
});
