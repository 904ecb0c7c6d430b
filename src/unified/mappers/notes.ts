import { defineMapper, direct, nativeFilter, refField, s } from './kit';
import { contactsFromEndusers, ownerFromUsers } from './conversation-fields';

/** CRM notes ← Planhat conversations of type note (list filters type=note; create sets it). */
export const noteMapper = defineMapper({
  fields: [
    ...direct([
      ['title', 'subject', s.str('Title')],
      ['content', 'description', s.text('Note text')],
      ['custom_fields', 'custom', s.custom()],
      ['created_at', 'createDate'],
      ['updated_at', 'updatedAt'],
    ]),
    refField('account', 'companyId', 'Account'),
    contactsFromEndusers,
    ownerFromUsers,
  ],
  required: ['account', 'content'],
  filters: { account_id: nativeFilter('companyId', 'Notes of this account (Planhat companyId filter)') },
  fixedQuery: { type: 'note' },
  accepts: (n) => n.type === 'note',
  createDefaults: (n) => ({ ...n, type: 'note' }),
});
