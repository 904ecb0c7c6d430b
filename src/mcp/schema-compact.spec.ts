import { z } from 'zod';
import { compactSchema, echoesName, schemaProblems } from './schema-compact';

const ANY = {
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'object' },
    { type: 'array', items: { type: 'string' } },
  ],
};
const json = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

describe('schemaProblems', () => {
  it('finds an empty {} subschema, additionalProperties {}, and untyped properties, items and branches', () => {
    expect(schemaProblems({ type: 'object', properties: { a: {} } })).toEqual(['$.properties.a: empty {} schema']);
    expect(schemaProblems({ type: 'object', additionalProperties: {} })).toEqual([
      '$.additionalProperties: empty {} schema',
    ]);
    expect(schemaProblems({ type: 'object', properties: { a: { description: 'x' } } })).toEqual([
      '$.properties.a: no type',
    ]);
    expect(schemaProblems({ type: 'array', items: { description: 'x' } })).toEqual(['$.items: no type']);
    expect(schemaProblems({ type: 'object', properties: { a: { anyOf: [{ type: 'string' }, {}] } } })).toEqual([
      '$.properties.a.anyOf[1]: empty {} schema',
    ]);
    expect(
      schemaProblems({ type: 'object', properties: { a: { type: 'object', properties: { b: { minLength: 1 } } } } }),
    ).toEqual(['$.properties.a.properties.b: no type']);
    expect(schemaProblems({})).toEqual(['$: empty {} schema']);
    expect(schemaProblems({ type: 'object', properties: { a: { type: 'array' } } })).toEqual([
      '$.properties.a: array without items',
    ]);
  });

  it('accepts typed schemas, enums, consts, boolean additionalProperties', () => {
    expect(
      schemaProblems({
        type: 'object',
        properties: { a: { enum: ['x'] }, b: { const: 1 }, c: { type: ['string', 'null'] } },
        additionalProperties: false,
      }),
    ).toEqual([]);
  });

  it("finds the problems zod's own JSON Schema has (what tools/list sent before)", () => {
    const raw = json(z.looseObject({ id: z.string(), custom: z.record(z.string(), z.unknown()), any: z.unknown() }));
    expect(schemaProblems(raw).sort()).toEqual(
      [
        '$.additionalProperties: empty {} schema',
        '$.properties.any: empty {} schema',
        '$.properties.custom.additionalProperties: empty {} schema',
      ].sort(),
    );
  });
});

describe('compactSchema', () => {
  it('makes zod output portable: open objects without additionalProperties, unknown values typed', () => {
    const out = compactSchema(
      json(z.looseObject({ custom: z.record(z.string(), z.unknown()), any: z.unknown(), list: z.array(z.unknown()) })),
    );
    expect(schemaProblems(out)).toEqual([]);
    expect(out).toEqual({
      type: 'object',
      properties: {
        custom: { type: 'object' },
        any: ANY,
        list: { type: 'array', items: ANY },
      },
      required: ['custom', 'any', 'list'],
    });
  });

  it("drops zod's noise and keeps bounds that mean something", () => {
    const out = compactSchema(
      json(
        z
          .object({
            n: z.number().int(),
            score: z.number().int().min(1).max(5),
            id: z.string().min(1).max(512),
            q: z.string().min(1).max(200),
          })
          .strict(),
      ),
    );
    expect(out.properties).toEqual({
      n: { type: 'integer' },
      score: { type: 'integer', minimum: 1, maximum: 5 },
      id: { type: 'string' },
      q: { type: 'string', maxLength: 200 },
    });
    expect(out).not.toHaveProperty('additionalProperties');
    expect(out).not.toHaveProperty('$schema');
  });

  it('drops descriptions that repeat the name and the conventions said in the instructions, keeps the rest', () => {
    const out = compactSchema(
      json(
        z.object({
          city: z.string().describe('City'),
          zip: z.string().describe('Postal code'),
          phonePrimary: z.string().describe('Main phone number'),
          companyId: z
            .string()
            .describe(
              "Company: the company's 24-hex `_id` from list_all_planhat_companies (or `extid-<externalId>` / `srcid-<sourceId>`)",
            ),
          cId: z
            .string()
            .describe(
              "cId (the company): the company's 24-hex `_id` from list_all_planhat_companies (or `extid-<externalId>` / `srcid-<sourceId>`)",
            ),
          startDate: z.string().describe('Start date (ISO 8601 date, e.g. 2026-01-31 or 2026-01-31T12:00:00Z)'),
          dueDate: z.number().int().describe('Due date (integer days since 1970-01-01, e.g. 20454 = 2026-01-01)'),
        }),
      ),
    );
    const p = out.properties as Record<string, Record<string, unknown>>;
    expect(p.city.description).toBeUndefined();
    expect(p.zip.description).toBe('Postal code');
    expect(p.phonePrimary.description).toBe('Main phone number');
    expect(p.companyId.description).toBeUndefined();
    expect(p.cId.description).toBe('cId (the company)');
    expect(p.startDate.description).toBeUndefined();
    expect(p.dueDate.description).toBe('Due date (integer days since 1970-01-01, e.g. 20454 = 2026-01-01)');
  });

  it('echoesName compares words, ignoring case, plurals and articles', () => {
    expect(echoesName('employees', 'Employees')).toBe(true);
    expect(echoesName('description', 'The description')).toBe(true);
    expect(echoesName('renewalUnit', 'Unit of renewalPeriod')).toBe(false);
    expect(echoesName('id', 'Account id')).toBe(true);
    expect(echoesName('id', 'Contact id; the ticket takes its email')).toBe(false);
  });
});
