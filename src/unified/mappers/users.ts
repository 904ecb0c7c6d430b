import { defineMapper, direct, nativeFilter, s, str, type Native } from './kit';

const named = (v: unknown) => (Array.isArray(v) ? (v as unknown[]).filter((x) => typeof x === 'string').map((x) => ({ id: x, name: x })) : []);

/** CRM and ticketing users ← Planhat users (team members). */
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
    {
      unified: 'name',
      native: 'firstName + lastName',
      note: 'read-only',
      reads: ['firstName', 'lastName', 'nickName'],
      read: (n: Native) => [str(n, 'firstName'), str(n, 'lastName')].filter(Boolean).join(' ') || str(n, 'nickName'),
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
    { unified: 'roles', native: 'roles', note: 'read-only, {id, name} = role', reads: ['roles'], read: (n) => named(n.roles) },
    { unified: 'teams', native: 'teams', note: 'read-only, {id, name} = team', reads: ['teams'], read: (n) => named(n.teams) },
  ],
  required: ['first_name', 'last_name', 'email'],
  filters: { email: nativeFilter('email', 'The user with this email address (Planhat email filter)') },
  createDefaults: (n) => ({ ...n, nickName: n.nickName ?? n.firstName }),
});
