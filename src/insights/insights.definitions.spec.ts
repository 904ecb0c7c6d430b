import { z } from 'zod';
import { parseInsightQuery } from './insights.controller';
import { INSIGHTS, INSIGHT_LIST } from './insights.definitions';
import { dayToIso, InsightsService, withinBudget } from './insights.service';

describe('insight definitions', () => {
  it('name every insight once, as its key, with a description, a JSON-Schema-able input and a service method', () => {
    for (const [key, def] of Object.entries(INSIGHTS)) {
      expect(def.name).toBe(key);
      expect(def.description.length).toBeGreaterThan(100);
      const schema = z.toJSONSchema(def.input, { io: 'input' }) as {
        type: string;
        properties: Record<string, { description?: string }>;
      };
      expect(schema.type).toBe('object');
      for (const [prop, p] of Object.entries(schema.properties))
        expect([prop, typeof p.description]).toEqual([prop, 'string']);
      expect(typeof (InsightsService.prototype as unknown as Record<string, unknown>)[key]).toBe('function');
    }
    expect(new Set(INSIGHT_LIST.map((d) => d.name)).size).toBe(INSIGHT_LIST.length);
  });

  it('fill defaults and refuse what is not theirs', () => {
    expect(parseInsightQuery('upcoming_renewals', { integrated_account_id: 'a' }).input).toEqual({
      days: 90,
      source: 'companies',
      group_by: 'owner',
      limit: 5,
    });
    expect(parseInsightQuery('upcoming_renewals', { integrated_account_id: 'a', days: '30' }).input.days).toBe(30);
    expect(() => parseInsightQuery('overdue_invoices', { integrated_account_id: 'a', days: '30' })).toThrow(
      /Unknown query parameter: days/,
    );
    expect(() => parseInsightQuery('overdue_invoices', {})).toThrow(/integrated_account_id/);
    expect(() => parseInsightQuery('resolve', { integrated_account_id: 'a', query: '   ' })).toThrow(/query/);
    for (const field of ['__proto__', 'constructor', 'custom.__proto__', 'prototype']) {
      expect(() => parseInsightQuery('nps_summary', { integrated_account_id: 'a', segment_field: field })).toThrow(
        /segment_field/,
      );
    }
  });
});

describe('dayToIso', () => {
  it("turns Planhat's day numbers into ISO dates and anything else into null", () => {
    expect(dayToIso(0)).toBe('1970-01-01');
    expect(dayToIso(20454)).toBe('2026-01-01');
    expect(dayToIso('20454')).toBeNull();
    expect(dayToIso(Number.NaN)).toBeNull();
    expect(dayToIso(undefined)).toBeNull();
  });
});

describe('withinBudget', () => {
  it('shortens the longest listed sections until the result fits, keeping counts, and says so', () => {
    const item = { _id: 'x'.repeat(24), name: 'y'.repeat(60) };
    const result = {
      a: { count: 40, items: Array.from({ length: 40 }, () => ({ ...item })) },
      b: { count: 3, items: [item, item, item] },
      upstream_calls: 2,
    };
    const out = withinBudget(result, 2000);
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(2000);
    expect(out.trimmed).toBe(true);
    expect(out.a.count).toBe(40);
    expect(out.a.items.length).toBeGreaterThan(3);
    expect(out.a.items.length).toBeLessThan(40);
    expect(out.b.items).toHaveLength(3);
    const small = { matches: [item], upstream_calls: 1 };
    expect(withinBudget(small, 2000)).toEqual({ matches: [item], upstream_calls: 1 });
  });
});
