import { z } from 'zod';
import {
  containsFilter,
  defineMapper,
  direct,
  ownerField,
  readOnly,
  s,
  sinceFilter,
  tagsField,
  textList,
  textRecordList,
} from './kit';

const address = z
  .strictObject({
    street_1: z.string().optional().describe('Street address'),
    city: z.string().optional().describe('City'),
    postal_code: z.string().optional().describe('Postal code'),
    country: z.string().optional().describe('Country'),
    type: z.string().optional().describe('Address type (Planhat keeps one address: primary)'),
  })
  .describe('Address');

/** CRM accounts ← Planhat companies. */
export const accountMapper = defineMapper({
  fields: [
    ...direct([
      ['name', 'name', s.str('Account name')],
      ['description', 'description', s.text('Description')],
      ['industry', 'industry', s.str('Industry')],
      ['website', 'web', s.str('Website URL')],
      ['number_of_employees', 'employees', s.int('Number of employees')],
      ['custom_fields', 'custom', s.custom()],
      ['last_activity_at', 'lastActive'],
      ['created_at', 'createDate'],
      ['updated_at', 'updatedAt'],
      // Planhat's customer-success fields, first-class (additions to Truto's account).
      ['phase', 'phase', s.str('Lifecycle phase, e.g. Onboarding, Adoption (Planhat phase)')],
      ['status', 'status', s.str('Planhat company status: prospect, coming, customer, canceled or lost')],
      ['health_score', 'h'],
      ['csm_score', 'csmScore', z.number().int().min(1).max(5).describe('CSM score, 1 to 5 (Planhat csmScore)')],
      ['mrr', 'mrr'],
      ['arr', 'arr'],
      ['renewal_date', 'renewalDate'],
    ]),
    tagsField('tags', 'tags'),
    {
      unified: 'addresses',
      native: 'address, city, zip, country',
      note: 'one address, type primary; a write takes the first',
      schema: z.array(address).max(1).describe('Addresses; Planhat keeps one (the first)'),
      ...textRecordList(
        { street_1: 'address', city: 'city', postal_code: 'zip', country: 'country' },
        { type: 'primary' },
      ),
      write: (v, out) => {
        const a = (v as z.infer<typeof address>[])[0];
        if (!a) return;
        if (a.street_1 !== undefined) out.address = a.street_1;
        if (a.city !== undefined) out.city = a.city;
        if (a.postal_code !== undefined) out.zip = a.postal_code;
        if (a.country !== undefined) out.country = a.country;
      },
    },
    {
      unified: 'phone_numbers',
      native: 'phonePrimary',
      note: 'one number, type primary; a write takes the first',
      schema: z
        .array(
          z.strictObject({
            number: z.string().describe('Phone number'),
            type: z.string().optional().describe('Type (primary)'),
          }),
        )
        .max(1)
        .describe('Phone numbers; Planhat keeps one (the first)'),
      ...textRecordList({ number: 'phonePrimary' }, { type: 'primary' }),
      write: (v, out) => {
        const p = (v as { number: string }[])[0];
        if (p) out.phonePrimary = p.number;
      },
    },
    {
      unified: 'urls',
      native: 'web, domains',
      note: 'read-only; write website',
      ...textList('url', [
        { from: 'web', type: 'website' },
        { from: 'domains', type: 'domain', each: true },
      ]),
    },
    ownerField('owner', 'owner', 'Owner (a user)'),
  ],
  required: ['name'],
  filters: {
    name: containsFilter('name', 'Accounts whose name contains this text (case-insensitive; applied by the gateway)'),
    updated_at: sinceFilter('updatedAt', 'Accounts updated at or after this ISO 8601 time (applied by the gateway)'),
  },
});

/** Ticketing accounts ← Planhat companies (read-only): Truto's ticketing account with its domains. */
export const ticketingAccountMapper = defineMapper({
  fields: [
    ...direct([
      ['name', 'name'],
      ['domains', 'domains'],
      ['website', 'web'],
      ['custom_fields', 'custom'],
      ['created_at', 'createDate'],
      ['updated_at', 'updatedAt'],
    ]),
    readOnly(tagsField('tags', 'tags')),
    readOnly(ownerField('owner', 'owner', 'Owner (a user)')),
  ],
  filters: {
    name: containsFilter('name', 'Accounts whose name contains this text (case-insensitive; applied by the gateway)'),
  },
});
