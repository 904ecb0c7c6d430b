import { defineMapper, direct, nativeFilter, ownerField, readOnly, refField, s } from './kit';

/** CRM projects ← Planhat projects (onboarding, implementation, ...). */
export const projectMapper = defineMapper({
  fields: [
    ...direct([
      ['name', 'name', s.str('Project name')],
      ['start_date', 'startDate', s.date('Start date')],
      ['end_date', 'endDate', s.date('End date')],
      ['status', 'status', s.str('Status, e.g. active, completed, abandoned')],
      ['currency', 'currency', s.str('Currency code, e.g. USD')],
      ['mrr', 'mrr', s.num('Monthly recurring revenue of the project')],
      ['arr', 'arr', s.num('Annual recurring revenue of the project')],
      ['nrr', 'nrr', s.num('Non-recurring revenue of the project')],
      ['custom_fields', 'custom', s.custom()],
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
    ]),
    refField('account', 'companyId', 'Account'),
    {
      unified: 'account_name',
      native: 'companyName',
      sortable: true,
      note: 'read-only',
      reads: ['companyName'],
      read: (n) => (typeof n.companyName === 'string' ? n.companyName : undefined),
    },
  ],
  required: ['name', 'account'],
  filters: { account_id: nativeFilter('companyId', 'Projects of this account (Planhat companyId filter)') },
});

/** Ticketing workspaces ← Planhat workspaces (sub-accounts of a company); read-only. */
export const workspaceMapper = defineMapper({
  fields: [
    ...direct([
      ['name', 'name'],
      ['custom_fields', 'custom'],
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
    ]),
    readOnly(refField('account', 'companyId', 'Account')),
    readOnly(ownerField('owner', 'ownerId', 'Owner (a user)')),
  ],
  filters: { account_id: nativeFilter('companyId', 'Workspaces of this account (Planhat companyId filter)') },
});

/** Ticketing collections ← Planhat projects (a collection of type project); read-only. */
export const collectionMapper = defineMapper({
  fields: [
    ...direct([
      ['name', 'name'],
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
    ]),
    {
      unified: 'type',
      native: '(constant project)',
      note: 'always project: Planhat projects group work for an account',
      reads: [],
      read: () => 'project',
    },
    {
      unified: 'status',
      native: 'status',
      sortable: true,
      note: 'the project status',
      reads: ['status'],
      read: (n) => (typeof n.status === 'string' ? n.status : undefined),
    },
    readOnly(refField('account', 'companyId', 'Account')),
  ],
  filters: {
    account_id: nativeFilter('companyId', 'Collections (projects) of this account (Planhat companyId filter)'),
  },
});
