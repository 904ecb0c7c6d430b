import { nativeTools } from '../../planhat/catalog';
import {
  allowedTools,
  configProblem,
  policyKey,
  requiresApiToken,
  storedConfig,
  toolAllowed,
  toolIndex,
  toolsForConfig,
  type McpServerConfig,
} from './index';

describe('MCP server policy', () => {
  it('lists the native tools (the 97 seed tools among them) + bulk upserts + unified tools on an unfiltered server', () => {
    const names = toolsForConfig({}).map((t) => t.name);
    expect(names).toContain('list_all_planhat_companies');
    expect(names).toContain('get_single_planhat_np_by_id');
    expect(names).toContain('list_all_crm_accounts');
    expect(names).toContain('update_a_ticketing_ticket_by_id');
    // Every non-bulk native tool of the catalog (catalog.spec.ts checks that set against the 97 seed names).
    expect(names.filter((n) => n.includes('_planhat_') && !n.startsWith('bulk_'))).toEqual(
      nativeTools()
        .filter((t) => t.op !== 'bulk_upsert')
        .map((t) => t.name),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it('read = list and get only', () => {
    const tools = toolsForConfig({ methods: ['read'] });
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.every((t) => t.method === 'read')).toBe(true);
    expect(tools.some((t) => t.name.startsWith('create_'))).toBe(false);
  });

  it('exact method names and classes combine', () => {
    const tools = toolsForConfig({ methods: ['list', 'custom'] });
    expect(tools.every((t) => t.name.startsWith('list_') || t.name.startsWith('bulk_upsert_'))).toBe(true);
    expect(tools.some((t) => t.name.startsWith('bulk_upsert_'))).toBe(true);
  });

  it('tags support = ticket and issue tools only; methods AND tags', () => {
    const support = toolsForConfig({ tags: ['support'] });
    expect(support.length).toBeGreaterThan(0);
    expect(support.every((t) => /ticket|issue/.test(t.name))).toBe(true);
    const readSupport = toolsForConfig({ tags: ['support'], methods: ['read'] });
    expect(readSupport.map((t) => t.name).sort()).toEqual([
      'get_single_planhat_issue_by_id',
      'list_all_planhat_issues',
      'list_all_planhat_tickets',
    ]);
  });

  it('exposures list meta-tools only when something is allowed', () => {
    expect(toolsForConfig({ tool_exposure: 'discovery' }).map((t) => t.name)).toEqual([
      'search_tools',
      'get_tool_schema',
      'call_tool',
    ]);
    expect(toolsForConfig({ tool_exposure: 'model_actions' }).map((t) => t.name)).toEqual([
      'undo_change',
      'get_model_actions',
      'get_model_action_parameters',
      'perform_model_action',
    ]);
    expect(toolsForConfig({ methods: ['read'], tool_exposure: 'model_actions' }).map((t) => t.name)).toEqual([
      'get_model_actions',
      'get_model_action_parameters',
      'perform_model_action',
    ]);
    expect(toolsForConfig({ tags: ['nothing-has-this'], tool_exposure: 'discovery' })).toEqual([]);
    expect(toolsForConfig({ tags: ['unified'], tool_exposure: 'model_actions' })).toEqual([]);
  });

  it('validates config keys and values, naming the key', () => {
    expect(configProblem({ methods: ['read', 'write'], tags: ['crm'] })).toBeUndefined();
    expect(configProblem({ methods: ['reed'] })).toMatch(/config.methods/);
    expect(configProblem({ methods: 'read' })).toMatch(/config.methods/);
    expect(configProblem({ tool_exposure: 'some' })).toMatch(/tool_exposure/);
    expect(configProblem({ require_api_token_auth: 'yes' })).toMatch(/require_api_token_auth/);
    expect(configProblem({ colour: 'red' })).toMatch(/config.colour/);
    expect(configProblem([])).toMatch(/object/);
  });

  it('annotates read, write and delete tools per the contract', () => {
    const a = (n: string) => toolIndex().find((t) => t.name === n)!.annotations;
    expect(a('list_all_planhat_companies')).toMatchObject({
      readOnlyHint: true,
      idempotentHint: true,
      destructiveHint: false,
    });
    expect(a('delete_a_planhat_company_by_id')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
    });
    expect(a('create_a_planhat_company')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
    expect(allowedTools({ methods: ['read'] })).toBe(allowedTools({ methods: ['read'] }));
  });

  describe('fails closed: a present filter never widens (issue #20 item 1)', () => {
    const UNUSABLE: unknown[] = [
      { methods: [] },
      { tags: [] },
      { methods: ['read'], tags: [] },
      { methods: [], tags: ['crm'] },
      { methods: null },
      { tags: null },
      { methods: 'delete' },
      { methods: ['nothing-like-this'] },
      { tags: [''] },
      { tool_exposure: 'everything' },
      { tool_exposure: null },
      { require_api_token_auth: null },
      { colour: 'red' },
      null,
      [],
      'read',
    ];

    it.each(UNUSABLE.map((c) => [JSON.stringify(c), c]))(
      'config %s: a problem naming the key, and no tool on any exposure',
      (_label, c) => {
        const problem = configProblem(c);
        expect(problem).toMatch(/^config(\.\w+)?[: ]/);
        for (const tool_exposure of [undefined, 'all', 'discovery', 'model_actions'] as const) {
          const isObject = c !== null && typeof c === 'object' && !Array.isArray(c);
          const config = (
            isObject && !('tool_exposure' in c) ? { ...c, ...(tool_exposure ? { tool_exposure } : {}) } : c
          ) as McpServerConfig;
          expect(allowedTools(config)).toEqual([]);
          expect(toolsForConfig(config)).toEqual([]);
          expect(toolIndex().filter((t) => toolAllowed(t, config))).toEqual([]);
          expect(policyKey(config)).not.toBe(policyKey({}));
        }
      },
    );

    it('names the empty key', () => {
      expect(configProblem({ methods: [] })).toMatch(/config\.methods must not be empty/);
      expect(configProblem({ tags: [] })).toMatch(/config\.tags must not be empty/);
      expect(configProblem({ methods: ['read'], tags: [] })).toMatch(/config\.tags/);
      expect(configProblem(undefined)).toBeUndefined();
    });

    it('a stored config that is unparseable or not an object allows nothing and requires an API token', () => {
      for (const text of ['', 'not json', 'null', '[]', '"read"', '42', '{"methods":', null]) {
        const config = storedConfig(text);
        expect(configProblem(config)).toBeDefined();
        expect(allowedTools(config)).toEqual([]);
        expect(toolsForConfig(config)).toEqual([]);
        expect(requiresApiToken(config)).toBe(true);
      }
      expect(storedConfig('{"methods":["read"]}')).toEqual({ methods: ['read'] });
      expect(requiresApiToken(storedConfig('{"methods":["read"]}'))).toBe(false);
      expect(requiresApiToken(storedConfig('{"require_api_token_auth":true}'))).toBe(true);
      expect(requiresApiToken(storedConfig('{"methods":[]}'))).toBe(true);
    });
  });
});
