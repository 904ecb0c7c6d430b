import { summarizeArguments } from './argument-summary';

describe('summarizeArguments', () => {
  it('keeps scalar values of ids, paging and shaping arguments, sizes for everything else', () => {
    const s = summarizeArguments('update_planhat_company', {
      id: '5f1a',
      dry_run: true,
      limit: 5,
      name: 'Secret Corp',
      custom: { ARR: 10 },
      idempotency_key: 'k-123-secret',
    });
    expect(s).toEqual({
      id: { value: '5f1a' },
      dry_run: { value: true },
      limit: { value: 5 },
      name: { bytes: Buffer.byteLength('"Secret Corp"') },
      custom: { bytes: Buffer.byteLength('{"ARR":10}') },
      idempotency_key: { bytes: Buffer.byteLength('"k-123-secret"') },
    });
    expect(JSON.stringify(s)).not.toContain('Secret Corp');
    expect(JSON.stringify(s)).not.toContain('k-123-secret');
  });

  it('keeps the tool name of call_tool, but a kept key with an object value is only sized', () => {
    expect(summarizeArguments('call_tool', { name: 'list_all_planhat_companies', arguments: { limit: 1 } })).toEqual({
      name: { value: 'list_all_planhat_companies' },
      arguments: { bytes: 11 },
    });
    expect(summarizeArguments('get_planhat_company', { id: { $ne: 1 } })).toEqual({ id: { bytes: 9 } });
  });

  it('cuts long kept strings and ignores non-object arguments', () => {
    expect((summarizeArguments('x', { select: 'a'.repeat(500) }).select as { value: string }).value).toHaveLength(200);
    expect(summarizeArguments('x', undefined)).toEqual({});
    expect(summarizeArguments('x', [1, 2])).toEqual({});
  });
});
