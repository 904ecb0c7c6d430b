import { z } from 'zod';
import { defineMapper, direct, nativeFilter, s, str, textList, type Native } from './kit';

const named = (v: unknown) =>
  Array.isArray(v) ? (v as unknown[]).filter((x) => typeof x === 'string').map((x) => ({ id: x, name: x })) : [];

/** A Planhat user's display name, as both user models show it. */
const USER_NAME = {
  unified: 'name',
  native: 'firstName + lastName',
  note: 'read-only',
  reads: ['firstName', 'lastName', 'nickName'],
  read: (n: Native) => [str(n, 'firstName'), str(n, 'lastName')].filter(Boolean).join(' ') || str(n, 'nickName'),
};

/** CRM users ← Planhat users (team members). */
export const userMapper = defineMapper({
  fields: [
    ...direct([
      ['first_name', 'firstName', s.str('First name')],
      ['last_name', 'lastName', s.str('Last name')],
      ['username', 'nickName', s.str('Nickname shown in Planhat (defaults to first_name on create)')],
      ['email', 'email', s.str('Email address')],
      ['custom_fields', 'custom', s.custom()],
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
    ]),
    USER_NAME,
    {
      unified: 'is_active',
      native: '!inactive',
      sortable: false,
      schema: s.bool('Active (Planhat inactive = false)'),
      reads: ['inactive'],
      read: (n) => n.inactive !== true,
      write: (v, out) => {
        out.inactive = !v;
      },
    },
    {
      unified: 'roles',
      native: 'roles',
      note: 'read-only, {id, name} = role',
      reads: ['roles'],
      read: (n) => named(n.roles),
    },
    {
      unified: 'teams',
      native: 'teams',
      note: 'read-only, {id, name} = team',
      reads: ['teams'],
      read: (n) => named(n.teams),
    },
  ],
  required: ['first_name', 'last_name', 'email'],
  filters: { email: nativeFilter('email', 'The user with this email address (Planhat email filter)') },
  createDefaults: (n) => ({ ...n, nickName: n.nickName ?? n.firstName }),
});

const emailsSchema = z
  .array(
    z.object({ email: z.string().min(1).describe('Email address'), type: z.string().optional().describe('primary') }),
  )
  .min(1)
  .max(1)
  .describe('Email addresses; Planhat keeps one (the first)');

/** Ticketing users ← Planhat users: Truto's ticketing user (emails[], team_ids[], avatar); list, get and update. */
export const ticketingUserMapper = defineMapper({
  fields: [
    ...direct([
      ['first_name', 'firstName', s.str('First name')],
      ['last_name', 'lastName', s.str('Last name')],
      ['username', 'nickName', s.str('Nickname shown in Planhat')],
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
    ]),
    USER_NAME,
    {
      unified: 'emails',
      native: 'email',
      note: '[{email, type: primary}]; a write takes the first',
      schema: emailsSchema,
      ...textList('email', [{ from: 'email', type: 'primary' }]),
      write: (v, out) => {
        out.email = (v as { email: string }[])[0].email;
      },
    },
    {
      unified: 'is_active',
      native: '!inactive',
      sortable: false,
      schema: s.bool('Active (Planhat inactive = false)'),
      reads: ['inactive'],
      read: (n) => n.inactive !== true,
      write: (v, out) => {
        out.inactive = !v;
      },
    },
    {
      unified: 'team_ids',
      native: 'teams',
      note: 'read-only, the team names',
      reads: ['teams'],
      read: (n) => (Array.isArray(n.teams) ? (n.teams as unknown[]).filter((x) => typeof x === 'string') : []),
    },
    {
      unified: 'roles',
      native: 'roles',
      note: 'read-only, {id, name} = role',
      reads: ['roles'],
      read: (n) => named(n.roles),
    },
    {
      unified: 'avatar',
      native: 'image',
      note: 'read-only: image as a URL string, or its url/path',
      reads: ['image'],
      read: (n) => {
        const i = n.image;
        if (typeof i === 'string' && i) return i;
        if (i && typeof i === 'object') {
          const u = (i as Native).url ?? (i as Native).path;
          if (typeof u === 'string' && u) return u;
        }
        return undefined;
      },
    },
  ],
  filters: { email: nativeFilter('email', 'The user with this email address (Planhat email filter)') },
});
