import { ErrorCode, GatewayError } from '../common/errors';
import { findIndexedTool } from '../mcp-servers/policy';
import { CustomFieldsCache, customPropertiesByModel } from './custom-fields';
import { findModelRoute, operationOf, searchTools } from './meta-tools';
import { countJsonArray } from '../common/json-scan';
import { serializeWithinBudget } from '../planhat/planhat.service';
import { errorResult, listOutput, okResult } from './results';
import { inputSchemaFor, parseArguments, toolSpec } from './tool-schemas';
import { toolIndex } from '../mcp-servers/policy';

describe('error results (one mapping from ErrorCode)', () => {
  it('maps every code to an isError result with status and next step', () => {
    for (const code of Object.values(ErrorCode)) {
      const r = errorResult(new GatewayError(code, 'boom'), {
        tool: 'x',
        listTool: 'list_all_planhat_companies',
        write: true,
      });
      expect(r.isError).toBe(true);
      expect((r.content[0] as { text: string }).text).toMatch(/^Error \d{3} /);
      expect((r.content[0] as { text: string }).text).toMatch(/Next step: /);
    }
  });

  it('429 says when to retry, from retry-after or ratelimit-reset', () => {
    const r = errorResult(
      new GatewayError(ErrorCode.RATE_LIMITED, 'Too many requests', { headers: { 'ratelimit-reset': '17' } }),
    );
    expect((r.content[0] as { text: string }).text).toMatch(/retry after 17 seconds/);
    expect((r.structuredContent as { error: { retry_after_seconds: number } }).error.retry_after_seconds).toBe(17);
  });

  it("404 names the list tool, 5xx on a write warns it may have applied, Planhat's message is quoted", () => {
    const nf = errorResult(
      new GatewayError(ErrorCode.NOT_FOUND, 'Not found', { remote: { status: 404, body: { message: 'No company' } } }),
      { listTool: 'list_all_planhat_companies' },
    );
    expect((nf.content[0] as { text: string }).text).toMatch(/Planhat said: No company.*list_all_planhat_companies/);
    const up = errorResult(new GatewayError(ErrorCode.UPSTREAM_ERROR, 'Planhat failed'), { write: true });
    expect((up.content[0] as { text: string }).text).toMatch(/may or may not have applied/);
  });
});

describe('tool schemas', () => {
  it('builds a flat object schema for every tool, once', () => {
    for (const t of toolIndex()) {
      const spec = toolSpec(t);
      expect(spec.json.type).toBe('object');
      expect(toolSpec(t)).toBe(spec);
    }
  });

  it('validates arguments and names the field', () => {
    const create = findIndexedTool('create_a_planhat_company')!;
    expect(parseArguments(create, {})).toMatchObject({
      ok: false,
      field: 'name',
      message: 'Missing required field: name',
    });
    expect(parseArguments(create, { name: 'A', csmScore: 'x' })).toMatchObject({ ok: false, field: 'csmScore' });
    const list = findIndexedTool('list_all_planhat_invoices')!;
    expect(parseArguments(list, { nope: 1 })).toMatchObject({ ok: false, field: 'nope' });
    expect(parseArguments(list, { limit: 5, cId: 'abc' })).toMatchObject({ ok: true });
  });

  it('swaps in the custom properties of the account', () => {
    const custom = customPropertiesByModel([
      { name: 'Segment', type: 'list', parent: 'Company', listValues: ['SMB', 'Enterprise'] },
      { name: 'Tags', type: 'multipicklist', parent: 'Company', listValues: ['a', 'b'] },
      { name: 'Seats', type: 'number', parent: 'Company' },
      { name: 'VIP', type: 'checkbox', parent: 'Company' },
      { name: 'Go-Live', type: 'day', parent: 'Project' },
    ]);
    const schema = inputSchemaFor(findIndexedTool('create_a_planhat_company')!, custom) as {
      properties: {
        custom: { properties: Record<string, { type: string; enum?: string[]; items?: { enum: string[] } }> };
      };
    };
    const p = schema.properties.custom.properties;
    expect(p.Segment).toMatchObject({ type: 'string', enum: ['SMB', 'Enterprise'] });
    expect(p.Tags).toMatchObject({ type: 'array', items: { enum: ['a', 'b'] } });
    expect(p.Seats.type).toBe('number');
    expect(p.VIP.type).toBe('boolean');
    expect(p['Go-Live']).toBeUndefined();
    // the cached base schema is not mutated
    expect(
      (
        toolSpec(findIndexedTool('create_a_planhat_company')!).json.properties as Record<
          string,
          { properties?: unknown }
        >
      ).custom.properties,
    ).toBeUndefined();
  });
});

describe('custom field cache', () => {
  it('single-flights concurrent fetches and refetches after the TTL', async () => {
    let calls = 0;
    const planhat = {
      listPage: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        return {
          data: { result: [{ name: 'Seats', type: 'number', parent: 'Company' }], next_cursor: null, result_count: 1 },
        };
      },
    };
    const cache = new CustomFieldsCache(planhat as never, {} as never);
    const [a, b] = await Promise.all([cache.get('acc', 1000), cache.get('acc', 1000)]);
    expect(calls).toBe(1);
    expect(a).toBe(b);
    await cache.get('acc', 1000 + 59_000);
    expect(calls).toBe(1);
    await cache.get('acc', 1000 + 61_000);
    expect(calls).toBe(2);
  });

  it('falls back to undefined when Planhat fails', async () => {
    const cache = new CustomFieldsCache(
      { listPage: async () => Promise.reject(new Error('down')) } as never,
      {} as never,
    );
    expect(await cache.get('acc')).toBeUndefined();
  });
});

describe('meta-tool helpers', () => {
  it('resolves model routes in any case and spelling', () => {
    expect(findModelRoute('Companies')?.key).toBe('companies');
    expect(findModelRoute('time_entries')?.key).toBe('time_entries');
    expect(findModelRoute('timeentries')?.key).toBe('time_entries');
    expect(findModelRoute('nope')).toBeUndefined();
    expect(operationOf('VIEW')).toBe('get');
    expect(operationOf('bulk_upsert')).toBeUndefined();
  });

  it('ranks tools by name and description tokens', () => {
    const found = searchTools(toolIndex(), 'create opportunity', 3);
    expect(found[0].name).toBe('create_a_planhat_opportunity');
  });
});

describe('tool results serialised once', () => {
  const rows = Array.from({ length: 300 }, (_, i) => ({
    _id: String(i),
    name: `Company "${i}" \u00e9\u{1F600}\n`,
    pad: 'x'.repeat(400 + (i % 7)),
  }));

  it('serializeWithinBudget keeps whole records under the budget (at least one), as JSON.stringify of them in <64 KB chunks', () => {
    for (const budget of [10, 1000, 50_000, 100_000, 10_000_000]) {
      const { kept, chunks } = serializeWithinBudget(rows, budget);
      expect(`[${chunks.join(',')}]`).toBe(JSON.stringify(rows.slice(0, kept)));
      expect(kept).toBeGreaterThanOrEqual(1);
      if (kept > 1) expect(Buffer.byteLength(JSON.stringify(rows.slice(0, kept)))).toBeLessThanOrEqual(budget);
      if (kept < rows.length)
        expect(Buffer.byteLength(JSON.stringify(rows.slice(0, kept + 1)))).toBeGreaterThan(budget);
      for (const c of chunks) expect(c.length).toBeLessThan(64 * 1024 + 1000);
    }
    expect(serializeWithinBudget(rows, 10_000_000).chunks.length).toBeGreaterThan(1);
    expect(serializeWithinBudget([], 100)).toEqual({ kept: 0, chunks: [] });
  });

  it.each([0, 1])(
    "serializeWithinBudget over Planhat's text (indent %i) keeps whole records under the budget, as one run of its bytes",
    (indent) => {
      const bytes = Buffer.from(JSON.stringify(rows, null, indent));
      const bounds: number[] = [];
      expect(countJsonArray(bytes, bounds)).toBe(rows.length);
      for (const budget of [10, 1000, 50_000, 100_000, 10_000_000]) {
        const { kept, chunks } = serializeWithinBudget({ bytes, bounds }, budget);
        // one run of Planhat's bytes, a view (not a copy) of them
        expect(chunks).toHaveLength(1);
        const run = chunks[0] as Buffer;
        expect(run.buffer).toBe(bytes.buffer);
        const text = `[${run.toString('utf8')}]`;
        expect(JSON.parse(text)).toEqual(rows.slice(0, kept));
        expect(kept).toBeGreaterThanOrEqual(1);
        if (kept > 1) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(budget);
        if (kept < rows.length && indent === 0)
          expect(Buffer.byteLength(JSON.stringify(rows.slice(0, kept + 1)))).toBeGreaterThan(budget);
      }
      expect(serializeWithinBudget({ bytes: Buffer.from('[]'), bounds: [] }, 100)).toEqual({ kept: 0, chunks: [] });
    },
  );

  it("a list result in pieces (strings, or Planhat's bytes) has the pieces' JSON as text and the same data as structuredContent", () => {
    const bytes = Buffer.from(JSON.stringify(rows, null, 1));
    const bounds: number[] = [];
    countJsonArray(bytes, bounds);
    for (const source of [rows, { bytes, bounds }]) {
      const { kept, chunks } = serializeWithinBudget(source, 10_000_000);
      for (const cursor of [null, 'abc.def']) {
        const out = listOutput({ result: rows.slice(0, kept), next_cursor: cursor }, chunks);
        const text = out.json!.map((p) => p.toString()).join('');
        const r = okResult(out.data, out.json);
        expect(JSON.parse(text)).toEqual(r.structuredContent);
        // the SDK's result schema takes only a plain object as structuredContent
        expect(Object.getPrototypeOf(r.structuredContent)).toBe(Object.prototype);
        // the text is the pieces' JSON, decoded when read; serialised, the result is JSON.stringify of it
        expect((r.content[0] as { text: string }).text).toBe(text);
        expect(JSON.parse(JSON.stringify(r))).toEqual({
          content: [{ type: 'text', text }],
          structuredContent: JSON.parse(text),
        });
      }
    }
    const plain = okResult({ a: 1, s: 'é"' });
    expect(JSON.parse(JSON.stringify(plain))).toEqual({
      content: [{ type: 'text', text: '{"a":1,"s":"é\\""}' }],
      structuredContent: { a: 1, s: 'é"' },
    });
  });
});
