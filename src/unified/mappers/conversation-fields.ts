import { idListField, ownerOf, ownerSchema, type FieldRule } from './kit';

/** Awkward fields shared by notes and engagements (both are Planhat conversations). */
export const ownerFromUsers: FieldRule = {
  unified: 'owner',
  native: 'users[0]',
  note: '{id, name} of the first team member; a write sets users to [{id}]',
  schema: ownerSchema('Owner (a user)'),
  reads: ['users'],
  read: (n) => (Array.isArray(n.users) ? ownerOf((n.users as unknown[])[0]) : undefined),
  write: (v, out) => {
    out.users = [{ id: typeof v === 'string' ? v : (v as { id: string }).id }];
  },
};

export const contactsFromEndusers: FieldRule = idListField('contact', 'endusers', 'Contact');
