import { z } from 'zod';
import { defineMapper, direct, nativeFilter, readOnly, refField, s, tagsField, textList, textRecordList } from './kit';

const emails = z
  .array(
    z.strictObject({
      email: z.string().min(1).describe('Email address'),
      type: z.string().optional().describe('primary or other'),
    }),
  )
  .min(1)
  .describe('Email addresses; the first (or the one of type primary) is the Planhat email, the rest its otherEmails');

/** CRM contacts ← Planhat endusers. */
export const contactMapper = defineMapper({
  fields: [
    ...direct([
      ['first_name', 'firstName', s.str('First name')],
      ['last_name', 'lastName', s.str('Last name')],
      ['name', 'name'],
      ['title', 'position', s.str('Job title')],
      ['custom_fields', 'custom', s.custom()],
      ['last_activity_at', 'lastActive'],
      ['created_at', 'createDate'],
      ['updated_at', 'updatedAt'],
      ['account_name', 'companyName'],
    ]),
    tagsField('tags', 'tags'),
    refField('account', 'companyId', 'Account'),
    {
      unified: 'email_addresses',
      native: 'email, otherEmails',
      note: 'primary = email, other = otherEmails',
      schema: emails,
      ...textList('email', [
        { from: 'email', type: 'primary' },
        { from: 'otherEmails', type: 'other', each: true, nonEmpty: true },
      ]),
      write: (v, out) => {
        const list = v as { email: string; type?: string }[];
        const primary = list.find((e) => e.type === 'primary') ?? list[0];
        out.email = primary.email;
        out.otherEmails = list.filter((e) => e !== primary).map((e) => e.email);
      },
    },
    {
      unified: 'phone_numbers',
      native: 'phone',
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
      ...textRecordList({ number: 'phone' }, { type: 'primary' }),
      write: (v, out) => {
        const p = (v as { number: string }[])[0];
        if (p) out.phone = p.number;
      },
    },
  ],
  required: ['account', 'email_addresses'],
  filters: {
    account_id: nativeFilter('companyId', 'Contacts of this account (Planhat companyId filter)'),
    email: nativeFilter('email', 'Contacts with this email address (exact; Planhat email filter)'),
  },
});

/** Ticketing contacts ← Planhat endusers (read-only), in Truto's ticketing contact shape. */
export const ticketingContactMapper = defineMapper({
  fields: [
    ...direct([
      ['first_name', 'firstName'],
      ['last_name', 'lastName'],
      ['name', 'name'],
      ['title', 'position'],
      ['account_id', 'companyId'],
      ['account_name', 'companyName'],
      ['custom_fields', 'custom'],
      ['created_at', 'createDate'],
      ['updated_at', 'updatedAt'],
    ]),
    {
      unified: 'emails',
      native: 'email, otherEmails',
      note: 'primary = email, other = otherEmails',
      ...textList('email', [
        { from: 'email', type: 'primary' },
        { from: 'otherEmails', type: 'other', each: true, nonEmpty: true },
      ]),
    },
    {
      unified: 'phones',
      native: 'phone',
      note: 'one number, type primary',
      ...textRecordList({ number: 'phone' }, { type: 'primary' }),
    },
    {
      unified: 'is_active',
      native: '!archived',
      note: 'false when the enduser is archived',
      reads: ['archived'],
      read: (n) => n.archived !== true,
    },
    readOnly(tagsField('tags', 'tags')),
  ],
  filters: {
    account_id: nativeFilter('companyId', 'Contacts of this account (Planhat companyId filter)'),
    email: nativeFilter('email', 'Contacts with this email address (exact; Planhat email filter)'),
  },
});
