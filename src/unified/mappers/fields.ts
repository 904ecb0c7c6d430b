import { z } from 'zod';
import { defineMapper, direct, type FilterRule, type Native } from './kit';

/** Planhat custom field types → unified field types. */
const TYPES: Record<string, string> = {
  number: 'number',
  rating: 'number',
  text: 'string',
  'rich text': 'string',
  phone: 'string',
  email: 'string',
  url: 'string',
  checkbox: 'boolean',
  day: 'date',
  date: 'datetime',
  list: 'enum',
  multipicklist: 'multiselect',
  'team member': 'reference',
  'team members': 'reference',
  enduser: 'reference',
  endusers: 'reference',
};

/** Planhat model names (custom field `parent`) → unified entities. */
const ENTITIES: Record<string, string> = {
  Company: 'account',
  EndUser: 'contact',
  User: 'user',
  Opportunity: 'opportunity',
  Task: 'task',
  Conversation: 'ticket',
};

function entityOf(n: Native): string | undefined {
  return typeof n.parent === 'string' ? (ENTITIES[n.parent] ?? n.parent.toLowerCase()) : undefined;
}

function entityFilter(description: string): FilterRule {
  return {
    param: 'parent',
    paramValue: (v) => Object.entries(ENTITIES).find(([, e]) => e === v)?.[0] ?? v,
    schema: z.string().min(1).describe(description),
  };
}

/** CRM and ticketing fields ← Planhat custom field definitions (read-only). */
export const fieldMapper = defineMapper({
  fields: [
    ...direct([
      ['name', 'name'],
      ['label', 'name'],
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
    ]),
    {
      unified: 'type',
      native: 'type',
      note: 'number, string, boolean, date, datetime, enum, multiselect, reference',
      reads: ['type'],
      read: (n) => (typeof n.type === 'string' ? (TYPES[n.type] ?? n.type) : undefined),
    },
    {
      unified: 'entity_type',
      native: 'parent',
      note: 'Company → account, EndUser → contact, ... (others lower-cased)',
      reads: ['parent'],
      read: entityOf,
    },
    {
      unified: 'entity',
      native: 'parent',
      note: 'the same as entity_type (kept for earlier clients)',
      reads: ['parent'],
      read: entityOf,
    },
    { unified: 'is_user_defined', native: '(constant true)', reads: [], read: () => true },
    {
      unified: 'options',
      native: 'listValues',
      note: '[{value, label}]',
      reads: ['listValues'],
      read: (n: Native) =>
        Array.isArray(n.listValues) ? (n.listValues as unknown[]).map((v) => ({ value: v, label: v })) : [],
    },
  ],
  filters: {
    entity_type: entityFilter(
      'Fields of this entity: account, contact, user, opportunity, task, ticket, or a Planhat model name (Planhat parent filter)',
    ),
    entity: entityFilter('Alias of entity_type (Planhat parent filter)'),
  },
});
