import { request } from 'undici';
import { z } from 'zod';
import type { CreatedApp } from '../src/app.factory';
import { startTestApp, TEST_ADMIN_KEY } from './support/test-app';
import type { ModelDef } from '../src/planhat/catalog';

export const ADMIN_KEY = TEST_ADMIN_KEY;

export interface TestGateway extends CreatedApp {
  dataDir: string;
  sandboxAccountId: string;
  /** JSON request against the gateway with the admin key (override with headers.authorization). */
  call: (method: string, url: string, body?: unknown, headers?: Record<string, string>) => Promise<TestResponse>;
  close: () => Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/** Boots the real gateway (real SQLite file, embedded sandbox over loopback HTTP) on a random port. */
export async function startGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const created = await startTestApp({ SANDBOX_RATE_LIMIT_PER_MIN: '0', THROTTLE_PER_MIN: '0', ...env });
  const dataDir = created.dataDir;
  const call = async (
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<TestResponse> => {
    const res = await request(created.url + url, {
      method: method as 'GET',
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep text */
    }
    return { status: res.statusCode, headers: res.headers, body: parsed, text };
  };
  const accounts = await call('GET', '/integrated-account');
  const sandbox = (accounts.body?.result ?? []).find((a: { name: string }) => a.name === 'sandbox');
  return {
    ...created,
    dataDir,
    sandboxAccountId: sandbox?.id,
    call,
    close: async () => {
      await created.app.close();
    },
  };
}

/** A value of the right type for a catalog field (zod 4 introspection), for generic catalog walks. */
export function sampleValue(name: string, schema: z.ZodType, companyId: string): unknown {
  if (name === 'companyId' || name === 'cId') return companyId;
  if (name === 'companyIds') return [companyId];
  if (name === 'email') return `e2e.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;
  if (name === 'parent') return 'Company';
  if (name === 'date' || name.endsWith('Date') || name === 'fromDate') {
    const type = (schema as { def?: { type?: string } }).def?.type;
    if (type === 'number') return 20454;
  }
  const def = (schema as { def: { type: string; entries?: Record<string, string>; element?: z.ZodType } }).def;
  switch (def.type) {
    case 'string':
      return /date|time/i.test(name) ? '2026-01-15' : `e2e ${name}`;
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'enum':
      return Object.values(def.entries ?? {})[0];
    case 'array':
      return [];
    case 'record':
      return {};
    default:
      return `e2e ${name}`;
  }
}

/** A create body with the model's required fields (and one of each required group). */
export function sampleCreateBody(model: ModelDef, companyId: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const need = [...model.required, ...(model.requiredOneOf ?? []).map((g) => g[0])];
  for (const f of need) body[f] = sampleValue(f, model.fields[f], companyId);
  if (
    model.companyRef &&
    model.companyRef !== 'companyIds' &&
    !(model.companyRef in body) &&
    model.fields[model.companyRef]
  ) {
    body[model.companyRef] = companyId;
  }
  return body;
}
