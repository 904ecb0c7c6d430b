import { z } from 'zod';
import type { FieldRule, Native } from './kit';

/** Awkward fields shared by notes and engagements (both are Planhat conversations). */
export const ownerFromUsers: FieldRule = {
  unified: 'owner',
  native: 'users[0].id',
  note: 'the first team member; a write sets users to [{id}]',
  schema: z.strictObject({ id: z.string().min(1).describe('User id') }).describe('Owner (a user): {id}'),
  reads: ['users'],
  read: (n) => {
    const u = Array.isArray(n.users) ? (n.users as unknown[])[0] : undefined;
    return u && typeof u === 'object' && typeof (u as Native).id === 'string' ? { id: (u as Native).id } : undefined;
  },
  write: (v, out) => {
    out.users = [{ id: (v as { id: string }).id }];
  },
};

export const contactsFromEndusers: FieldRule = {
  unified: 'contacts',
  native: 'endusers',
  note: '[{id}] ↔ enduser ids',
  schema: z.array(z.strictObject({ id: z.string().min(1).describe('Contact id') })).describe('Contacts involved: [{id}]'),
  reads: ['endusers'],
  read: (n) => (Array.isArray(n.endusers) ? (n.endusers as unknown[]).filter((e) => typeof e === 'string').map((id) => ({ id })) : []),
  write: (v, out) => {
    out.endusers = (v as { id: string }[]).map((c) => c.id);
  },
};
