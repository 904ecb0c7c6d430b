import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { allModels, createSchema, findModel, idProblem, nativeTools, toolName, type ModelKey } from './index';

/** The 97 tool names of the seed document (Truto's Planhat tool list), committed as a fixture. */
function seedToolNames(): string[] {
  return JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../test/fixtures/seed-tool-names.json'), 'utf8'));
}

describe('Planhat catalog', () => {
  it('generates exactly the 97 seed tool names, plus bulk upserts and the tools of the models the seed lacks', () => {
    const seed = seedToolNames();
    expect(seed).toHaveLength(97);
    const names = nativeTools().map((t) => t.name);
    const nonBulk = names.filter((n) => !n.startsWith('bulk_upsert_'));
    // Lean companies, workspaces, workflows and metrics are Planhat models the seed tool list does not have.
    const beyondSeed = [
      'list_all_planhat_leancompanies',
      'list_all_planhat_workspaces',
      'get_single_planhat_workspace_by_id',
      'create_a_planhat_workspace',
      'update_a_planhat_workspace_by_id',
      'delete_a_planhat_workspace_by_id',
      'list_all_planhat_workflows',
      'list_all_planhat_dimension_data',
    ];
    expect([...nonBulk].sort()).toEqual([...seed, ...beyondSeed].sort());
    expect(new Set(names).size).toBe(names.length);
    for (const t of nativeTools().filter((x) => x.op === 'bulk_upsert')) expect(t.method).toBe('custom');
  });

  it('covers the models the design card names', () => {
    const keys = allModels().map((m) => m.key);
    for (const k of [
      'campaigns',
      'companies',
      'invoices',
      'endusers',
      'issues',
      'licenses',
      'opportunities',
      'projects',
      'tasks',
      'tickets',
      'users',
      'conversations',
      'custom_fields',
      'assets',
      'churn',
      'nps',
      'objectives',
      'sales',
      'time_entries',
      'timesheets',
      'leancompanies',
      'workspaces',
      'workflows',
    ]) {
      expect(keys).toContain(k);
    }
  });

  it('tags every native tool with planhat and the contract domain tags', () => {
    const tagsOf = (name: string) => nativeTools().find((t) => t.name === name)!.tags;
    expect(tagsOf('list_all_planhat_tickets')).toEqual(['planhat', 'support']);
    expect(tagsOf('list_all_planhat_churn')).toEqual(expect.arrayContaining(['finance', 'success']));
    expect(tagsOf('list_all_planhat_opportunities')).toEqual(expect.arrayContaining(['crm', 'finance']));
    expect(tagsOf('list_all_planhat_time_entries')).toEqual(expect.arrayContaining(['projects']));
    const support = nativeTools()
      .filter((t) => t.tags.includes('support'))
      .map((t) => t.model.key);
    expect(new Set(support)).toEqual(new Set(['tickets', 'issues']));
  });

  it('finds models by REST name and by Planhat path name', () => {
    expect(findModel('custom_fields')?.path).toBe('/customfields');
    expect(findModel('customfields')?.key).toBe('custom_fields');
    expect(findModel('timeentries')?.key).toBe('time_entries');
    expect(findModel('nope')).toBeUndefined();
    expect(toolName(findModel('nps')!, 'get')).toBe('get_single_planhat_np_by_id');
  });

  it('declares every required field and keeps the quirks', () => {
    for (const m of allModels()) {
      for (const r of m.required) expect(Object.keys(m.fields)).toContain(r);
    }
    expect(findModel('invoices')!.companyRef).toBe('cId');
    expect(findModel('nps')!.companyRef).toBe('cId');
    expect(findModel('invoices')!.dayDates).toEqual(['invoiceDate', 'dueDate', 'paidDate']);
    expect(findModel('timesheets')!.dayDates).toEqual(['dateFrom', 'dateTo']);
  });

  it('builds create schemas whose types come from the catalog', () => {
    const schema = createSchema(findModel('projects')!);
    expect(schema.safeParse({ name: 'Onboarding' }).success).toBe(false);
    expect(schema.safeParse({ name: 'Onboarding', companyId: 'x', extra: 1 }).success).toBe(true);
    type Key = ModelKey;
    const k: Key = 'time_entries';
    expect(k).toBe('time_entries');
    const json = z.toJSONSchema(schema) as { required?: string[] };
    expect(json.required).toEqual(expect.arrayContaining(['name', 'companyId']));
  });

  it('rejects unsafe ids and accepts the three id forms', () => {
    for (const ok of ['5f1a2b3c4d5e6f7a8b9c0d1e', 'extid-ACME 1', 'srcid-00Q12', '39a44fdef9324bc092405e024b3b3584']) {
      expect(idProblem(ok)).toBeUndefined();
    }
    for (const bad of ['a/b', '..', 'x..y', 'a\u0000b', 'a\r\nb', '', '   ', 'extid-', 'x'.repeat(600)]) {
      expect(idProblem(bad)).toBeDefined();
    }
  });

  it('rejects "." and ".." ids in any case of percent-encoding, however often encoded', () => {
    for (const ok of ['a.b', 'extid-v1.2', 'extid-50%off', 'srcid-%zz', 'extid-a%20b', '...x'.slice(2)]) {
      expect(idProblem(ok)).toBeUndefined();
    }
    for (const bad of [
      '.',
      ' . ',
      '%2e',
      '%2E',
      '%2e%2E',
      '.%2e',
      '%252e',
      '%252E%252e',
      '%25252e',
      'a%2Fb',
      'a%252Fb',
      'a%5Cb',
      'a%250Ab',
    ]) {
      expect(idProblem(bad)).toBeDefined();
    }
  });
});

describe('recordProblem', () => {
  const { recordProblem } = jest.requireActual('./index') as typeof import('./index');
  it('names the missing, mistyped or constrained field', () => {
    expect(recordProblem(findModel('companies')!, {}, 'create')?.message).toBe('Missing required field: name');
    expect(recordProblem(findModel('endusers')!, { companyId: 'x' }, 'create')?.message).toMatch(
      /one of email, externalId, sourceId/,
    );
    expect(recordProblem(findModel('companies')!, { name: 5 }, 'create')?.field).toBe('name');
    expect(recordProblem(findModel('time_entries')!, { date: '2026-01-01', hours: 30 }, 'create')?.message).toMatch(
      /hours/,
    );
    expect(recordProblem(findModel('nps')!, { score: 11 }, 'update')?.message).toMatch(/score/);
    expect(recordProblem(findModel('companies')!, [], 'create')?.message).toMatch(/JSON object/);
    expect(
      recordProblem(findModel('companies')!, JSON.parse('{"name":"a","custom":{"__proto__":{"x":1}}}'), 'create')
        ?.field,
    ).toBe('custom.__proto__');
    expect(recordProblem(findModel('companies')!, { name: 'Acme', custom: { Seats: 4 } }, 'create')).toBeUndefined();
    expect(recordProblem(findModel('companies')!, { phase: 'Adoption' }, 'update')).toBeUndefined();
  });

  it('finds a forbidden key however deep a body may nest it (the catalog check stopped at 20 levels)', () => {
    let custom: Record<string, unknown> = JSON.parse('{"prototype": 1}') as Record<string, unknown>;
    for (let i = 0; i < 30; i++) custom = { deeper: custom };
    const problem = recordProblem(findModel('companies')!, { phase: 'Adoption', custom }, 'update');
    expect(problem?.message).toBe(`Field name not allowed: custom.${'deeper.'.repeat(30)}prototype`);
  });
});
