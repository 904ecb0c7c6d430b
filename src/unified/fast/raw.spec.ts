import * as fc from 'fast-check';
import { ByteWriter } from '../../common/byte-writer';
import { countJsonArray, ElementFields, type ScannedArray } from '../../common/json-scan';
import { findModel } from '../../planhat/catalog';
import { SandboxStore } from '../../sandbox/store';
import { UNIFIED_RESOURCES } from '../unified-resources';
import { MAPPERS, type Native, type UnifiedMapper } from '../mappers/index';
import { rawRecordWriterOf } from './raw';

/** A page as the unified list scans it (countJsonArray with fields). */
function scan(text: string): ScannedArray {
  const bytes = Buffer.from(text, 'utf8');
  const bounds: number[] = [];
  const fields = new ElementFields(4);
  expect(countJsonArray(bytes, bounds, fields)).toBeGreaterThanOrEqual(0);
  return { bytes, bounds, fields };
}

/** Each record of the page written by the raw writer, parsed back; null where the writer declined. */
function written(mapper: UnifiedMapper, text: string, includeRemoteData: boolean): (unknown | null)[] {
  const page = scan(text);
  const writer = rawRecordWriterOf(mapper)!;
  return Array.from({ length: page.bounds.length / 2 }, (_, i) => {
    const out = new ByteWriter(16);
    return writer(page, i, out, includeRemoteData) ? (JSON.parse(out.result().toString('utf8')) as unknown) : null;
  });
}

/** What the parsed-record path gives: toUnified over JSON.parse, through JSON. */
const expected = (mapper: UnifiedMapper, rec: unknown, includeRemoteData: boolean) =>
  JSON.parse(JSON.stringify(mapper.toUnified(rec as Native, { includeRemoteData }))) as unknown;

const store = new SandboxStore({ seedCompanies: 40 });
const tenant = store.tenant('raw-spec');
const seeded = (native: string) => tenant.list(findModel(native)!, { limit: '2000' }) as Native[];

describe('raw record writer', () => {
  it('every unified mapper has one: each read field declares what it reads', () => {
    for (const [key, mapper] of Object.entries(MAPPERS))
      expect([key, rawRecordWriterOf(mapper) !== undefined]).toEqual([key, true]);
  });

  it.each(UNIFIED_RESOURCES.map((d) => [`${d.api}/${d.resource}`, d.native] as const))(
    '%s: the same JSON as toUnified on every sandbox record',
    (key, native) => {
      const mapper = MAPPERS[key as keyof typeof MAPPERS];
      const records = seeded(native);
      expect(records.length).toBeGreaterThan(0);
      for (const spacing of [undefined, 1]) {
        const text = JSON.stringify(records, null, spacing);
        for (const remote of [true, false]) {
          expect(written(mapper, text, remote)).toEqual(records.map((r) => expected(mapper, r, remote)));
        }
      }
    },
  );

  it("each read field reads only the Planhat fields it declares (so the writer's small record has them all)", () => {
    for (const d of UNIFIED_RESOURCES) {
      const mapper = MAPPERS[`${d.api}/${d.resource}` as keyof typeof MAPPERS];
      for (const rec of seeded(d.native)) {
        for (const f of mapper.fields) {
          if (!f.read) continue;
          const touched = new Set<string>();
          const spy = new Proxy(rec, {
            get: (t, k) => {
              if (typeof k === 'string') touched.add(k);
              return Reflect.get(t, k);
            },
          });
          f.read(spy);
          expect([d.resource, f.unified, [...touched].filter((k) => !f.reads!.includes(k))]).toEqual([
            d.resource,
            f.unified,
            [],
          ]);
        }
      }
    }
  });

  it('takes repeated keys as JSON.parse does (the last), missing and null fields, odd spacing and escapes in values', () => {
    const mapper = MAPPERS['crm/accounts'];
    const text =
      '[ {"_id":"a1","name":"first","name" : "second","web":null,"domains":["x.com", 3, "y\\u002ecom"],"employees":1.50e2,"custom":{"k":[{"deep":"}"}]}} ,' +
      '{"_id":"b\\"2","city":"Malm\\u00f6","country":"Sverige","phonePrimary":"","owner":{"id":"u1","name":"U"},"description":"line\\nbreak ☃"},' +
      '{"_id":null,"id":"c3","domains":[ "a\\"b.com" , "" ,"\\\\"],"web":"","owner":"","address":"x"},{"_id":4,"domains":["a",["b"]],"owner":"u\\u0032"},' +
      '{},{"id":7,"tags":[]}]';
    const records = JSON.parse(text) as unknown[];
    for (const remote of [true, false])
      expect(written(mapper, text, remote)).toEqual(records.map((r) => expected(mapper, r, remote)));
    // Lists of texts: empty emails are dropped, an array holding more than strings is decoded.
    const contacts =
      '[{"_id":"c1","email":"","otherEmails":["","x@y.com","\\u0061@b"],"phone":"1"},{"_id":"c2","email":"p@q","otherEmails":[3,"y@z"]}]';
    const parsed = JSON.parse(contacts) as unknown[];
    expect(written(MAPPERS['crm/contacts'], contacts, true)).toEqual(
      parsed.map((r) => expected(MAPPERS['crm/contacts'], r, true)),
    );
  });

  it('declines (writes nothing) records that are not objects, and a page where a key holds an escape, for the caller to parse', () => {
    const writer = rawRecordWriterOf(MAPPERS['crm/contacts'])!;
    const outcomes = (text: string) => {
      const page = scan(text);
      return Array.from({ length: page.bounds.length / 2 }, (_, i) => {
        const out = new ByteWriter(16);
        return [writer(page, i, out, true), out.length > 0];
      });
    };
    expect(outcomes('[[1,2],"text",null,{"_id":"2"}]')).toEqual([
      [false, false],
      [false, false],
      [false, false],
      [true, true],
    ]);
    expect(outcomes('[{"_id":"1"},{"n\\u0061me":"x","_id":"2"}]')).toEqual([
      [false, false],
      [false, false],
    ]);
  });

  it('agrees with toUnified on generated records', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })), {
        maxLength: 3,
      }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
    );
    const keys = [
      '_id',
      'id',
      'name',
      'email',
      'otherEmails',
      'firstName',
      'lastName',
      'nickName',
      'phone',
      'web',
      'domains',
      'address',
      'city',
      'zip',
      'country',
      'owner',
      'companyId',
      'status',
      'users',
      'endusers',
      'endUserId',
      'type',
      'custom',
      'tags',
      'inactive',
      'roles',
      'teams',
      'isArchived',
      'salesStage',
      'listValues',
      'parent',
      'title',
    ];
    const record = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 12 });
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 4 }),
        fc.constantFrom(...(Object.keys(MAPPERS) as (keyof typeof MAPPERS)[])),
        (records, key) => {
          const mapper = MAPPERS[key];
          const text = JSON.stringify(records);
          // As Planhat's records reach the mapper: parsed (fast-check's dictionaries have no prototype).
          const parsed = JSON.parse(text) as unknown[];
          expect(written(mapper, text, true)).toEqual(parsed.map((r) => expected(mapper, r, true)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
