import { z } from 'zod';
import { defineMapper, direct, nativeFilter, refField, s, textList, textRecordList } from './kit';

const emails = z
  .array(z.strictObject({ email: z.string().min(1).describe('Email address'), type: z.string().optional().describe('primary or other') }))
  .min(1)
  .describe('Email addresses; the first (or the one of type primary) is the Planhat email, the rest its otherEmails');

/** CRM (and ticketing) contacts ← Planhat endusers. */
export const contactMapper = defineMapper({
  fields: [
    ...direct([
      ['first_name', 'firstName', s.str('First name')],
      ['last_name', 'lastName', s.str('Last name')],
      ['name', 'name'],
      ['title', 'position', s.str('Job title')],
      ['tags', 'tags', s.strs('Tags')],
      ['custom_fields', 'custom', s.custom()],
      ['last_activity_at', 'lastActive'],
      ['created_at', 'createDate'],
      ['updated_at', 'updatedAt'],
    ]),
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
        .array(z.strictObject({ number: z.string().describe('Phone number'), type: z.string().optional().describe('Type (primary)') }))
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
