import { CallNotifier, McpLogLevels, needsStream, passes, upstreamLogLine } from './notifications';

describe('log levels', () => {
  it('a message passes only at or above the chosen level, and nothing passes before a choice', () => {
    expect(passes('warning', 'warning')).toBe(true);
    expect(passes('error', 'warning')).toBe(true);
    expect(passes('warning', 'error')).toBe(false);
    expect(passes('emergency', undefined)).toBe(false);
  });

  it('keeps a choice per SSE session or per MCP server, bounded, and forgets a closed session', () => {
    const levels = new McpLogLevels(2);
    expect(McpLogLevels.keyOf('s1', 'srv')).toBe('session:s1');
    expect(McpLogLevels.keyOf(undefined, 'srv')).toBe('server:srv');
    expect(McpLogLevels.keyOf(undefined, undefined)).toBeUndefined();
    levels.choose(undefined, 'debug');
    levels.choose('server:a', 'info');
    levels.choose('session:b', 'error');
    levels.choose('server:c', 'debug');
    expect(levels.get('server:a')).toBeUndefined(); // the oldest went
    expect(levels.get('session:b')).toBe('error');
    levels.forget('b');
    expect(levels.get('session:b')).toBeUndefined();
    expect(levels.get(undefined)).toBeUndefined();
  });
});

describe('upstreamLogLine', () => {
  const base = { method: 'GET', model: 'companies', durationMs: 12 };
  it('names the level and never more than method, model and outcome', () => {
    expect(upstreamLogLine({ ...base, outcome: 429, retryAfterS: 30 })).toEqual({
      level: 'warning',
      message: 'Planhat rate limit reached on GET companies: the call was not retried; retry after 30 s',
    });
    expect(upstreamLogLine({ ...base, outcome: 429 }).message).toMatch(/retry later$/);
    expect(upstreamLogLine({ ...base, method: 'PUT', outcome: 206 }).level).toBe('warning');
    expect(upstreamLogLine({ ...base, outcome: 502 }).level).toBe('error');
    expect(upstreamLogLine({ ...base, outcome: 'timeout' }).level).toBe('error');
    expect(upstreamLogLine({ ...base, outcome: 'network_error' }).level).toBe('error');
    expect(upstreamLogLine({ ...base, outcome: 404 }).level).toBe('info');
    expect(upstreamLogLine({ ...base, outcome: 200 })).toEqual({
      level: 'debug',
      message: 'GET companies: 200 in 12 ms',
    });
  });
});

describe('CallNotifier', () => {
  it('is made only when the call asked for progress or a level is chosen', () => {
    const send = async () => undefined;
    expect(CallNotifier.for(send, undefined, undefined)).toBeUndefined();
    expect(CallNotifier.for(send, { not: 'a token' }, undefined)).toBeUndefined();
    expect(CallNotifier.for(send, 'p', undefined)).toBeInstanceOf(CallNotifier);
    expect(CallNotifier.for(send, 0, undefined)).toBeInstanceOf(CallNotifier);
    expect(CallNotifier.for(send, undefined, 'error')).toBeInstanceOf(CallNotifier);
  });

  it('sends increasing progress and filtered log messages, and is current only inside run', async () => {
    const sent: unknown[] = [];
    const n = CallNotifier.for(async (m) => void sent.push(m), 't', 'warning')!;
    expect(CallNotifier.current()).toBeUndefined();
    await n.run(async () => {
      expect(CallNotifier.current()).toBe(n);
      n.progress('one');
      n.progress('two', 2);
      n.log('info', 'hidden');
      n.log('error', 'shown', { model: 'x' });
    });
    expect(sent).toEqual([
      { method: 'notifications/progress', params: { progressToken: 't', progress: 1, message: 'one' } },
      { method: 'notifications/progress', params: { progressToken: 't', progress: 2, message: 'two', total: 2 } },
      {
        method: 'notifications/message',
        params: { level: 'error', logger: 'planhat', data: { message: 'shown', model: 'x' } },
      },
    ]);
  });
});

describe('needsStream', () => {
  const call = (meta?: object) => ({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'x', ...(meta ? { _meta: meta } : {}) },
  });
  it('streams a tools/call with a progressToken, or any tools/call once the server has a level', () => {
    const levels = new McpLogLevels();
    expect(needsStream(call(), levels, 'srv')).toBe(false);
    expect(needsStream(call({ progressToken: 1 }), levels, 'srv')).toBe(true);
    expect(
      needsStream(
        [{ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: { progressToken: 1 } } }, call()],
        levels,
        'srv',
      ),
    ).toBe(false);
    expect(needsStream(null, levels, 'srv')).toBe(false);
    levels.choose('server:srv', 'info');
    expect(needsStream(call(), levels, 'srv')).toBe(true);
    expect(needsStream(call(), levels, 'other')).toBe(false);
    expect(needsStream({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, levels, 'srv')).toBe(false);
  });
});
