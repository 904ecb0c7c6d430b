import { MetricsService, statusClass, surfaceOf } from './metrics.service';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsService', () => {
  let m: MetricsService;
  beforeEach(() => {
    m = new MetricsService();
  });
  afterEach(() => m.onModuleDestroy());

  it('recordToolCall counts MCP tool calls by tool and outcome', async () => {
    m.recordToolCall('list_companies', 'ok');
    m.recordToolCall('list_companies', 'ok');
    m.recordToolCall('list_companies', 'denied');
    m.recordToolCall('create_company', 'error');
    const { body } = await m.render();
    expect(value(body, 'gateway_mcp_tool_calls_total{tool="list_companies",outcome="ok"}')).toBe(2);
    expect(value(body, 'gateway_mcp_tool_calls_total{tool="list_companies",outcome="denied"}')).toBe(1);
    expect(value(body, 'gateway_mcp_tool_calls_total{tool="create_company",outcome="error"}')).toBe(1);
    expect(value(body, 'gateway_mcp_tool_calls_total{tool="create_company",outcome="ok"}')).toBeUndefined();
  });

  it('recordUpstream counts by model and status, and 429s separately', async () => {
    m.recordUpstream('companies', 200, 0.01);
    m.recordUpstream('companies', 429, 0.002);
    m.recordUpstream('tickets', 'timeout', 30);
    const { body } = await m.render();
    expect(value(body, 'gateway_planhat_requests_total{model="companies",status="200"}')).toBe(1);
    expect(value(body, 'gateway_planhat_requests_total{model="companies",status="429"}')).toBe(1);
    expect(value(body, 'gateway_planhat_rate_limited_total{model="companies"}')).toBe(1);
    expect(value(body, 'gateway_planhat_request_duration_seconds_count{model="tickets",status_class="timeout"}')).toBe(
      1,
    );
    expect(
      value(body, 'gateway_planhat_request_duration_seconds_bucket{le="+Inf",model="tickets",status_class="timeout"}'),
    ).toBe(1);
  });

  it('recordRequest labels by surface, route template and status class; caches start at zero', async () => {
    m.recordRequest('/proxy/:resource', 200, 0.003);
    m.recordRequest('unmatched', 404, 0.001);
    m.recordCache('api_token', true);
    const { body, contentType } = await m.render();
    expect(contentType).toContain('text/plain');
    expect(
      value(body, 'gateway_http_requests_total{surface="proxy",route="/proxy/:resource",status_class="2xx"}'),
    ).toBe(1);
    expect(value(body, 'gateway_http_requests_total{surface="admin",route="unmatched",status_class="4xx"}')).toBe(1);
    expect(value(body, 'gateway_cache_lookups_total{cache="api_token",result="hit"}')).toBe(1);
    expect(value(body, 'gateway_cache_lookups_total{cache="mcp_server",result="miss"}')).toBe(0);
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
  });

  it('surfaces and status classes', () => {
    expect(
      [
        '/proxy/:resource',
        '/unified/crm/accounts',
        '/mcp/:token',
        '/mcp/:token/sse',
        '/integrated-account',
        '/health/ready',
        '/metrics',
        '/sandbox/planhat/*',
      ].map(surfaceOf),
    ).toEqual(['proxy', 'unified', 'mcp', 'mcp', 'admin', 'ops', 'ops', 'sandbox']);
    expect([101, 204, 302, 429, 503, 0].map(statusClass)).toEqual(['1xx', '2xx', '3xx', '4xx', '5xx', 'other']);
  });
});
