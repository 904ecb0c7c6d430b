import { z } from 'zod';
import { defineMapper, direct, idListField, namedField, nativeFilter, ownerField, refField, s } from './kit';

export const TASK_STATUSES = ['open', 'completed'] as const;

/** CRM tasks ← Planhat tasks (mainType task), in Truto's task shape. */
export const taskMapper = defineMapper({
  fields: [
    ...direct([
      ['subject', 'action', s.str('Subject (Planhat action)')],
      ['content', 'description', s.text('Content (Planhat description)')],
      ['due_date', 'endTime', s.date('Due date')],
      ['completed_at', 'dateDone', s.date('When it was completed')],
      ['custom_fields', 'custom', s.custom()],
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
    ]),
    namedField('type', 'type', 'Task type, e.g. call, email, meeting, todo'),
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
    ownerField('owner', 'ownerId', 'Owner (a user)', 'ownerName'),
    refField('account', 'companyId', 'Account'),
    idListField('contact', 'endusers', 'Contact'),
  ],
  required: ['account'],
  filters: { account_id: nativeFilter('companyId', 'Tasks of this account (Planhat companyId filter)') },
  createDefaults: (n) => ({ ...n, mainType: n.mainType ?? 'task' }),
});
