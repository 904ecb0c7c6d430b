import * as fs from 'node:fs';
import * as path from 'node:path';
import { openApiJson } from '../src/admin/swagger';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The OpenAPI document is a reviewed artefact: openapi.json at the repo root must equal what the
 * code generates. After changing routes or DTOs run `npm run openapi` and commit the diff.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('OpenAPI document', () => {
  it('is served publicly at /docs-json and /docs, with bearer auth and the admin routes', async () => {
    const res = await fetch(`${t.url}/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
    // API tokens are opaque: the scheme must not announce JWTs (Swagger UI and clients would try to decode them).
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.components.securitySchemes.bearer).not.toHaveProperty('bearerFormat');
    for (const p of [
      '/api-token',
      '/api-token/{id}',
      '/integrated-account',
      '/integrated-account/{id}',
      '/integrated-account/{id}/tools',
      '/integrated-account/{id}/mcp',
      '/integrated-account/{id}/mcp/{mcp_id}',
    ]) {
      expect(doc.paths).toHaveProperty([p]);
    }
    const ui = await fetch(`${t.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });

  it('matches the committed openapi.json (regenerate with `npm run openapi`)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', 'openapi.json'), 'utf8');
    const generated = openApiJson(t.app);
    if (committed !== generated) {
      throw new Error('openapi.json is out of date: run `npm run openapi` and commit the result');
    }
  });
});
