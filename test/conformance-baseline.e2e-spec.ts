/**
 * The MCP conformance step of CI (scripts/ci/conformance.sh, `npm run conformance`): its baseline of
 * expected failures gives each entry a one-line reason, never lists a scenario the gateway must pass,
 * and the suite and Node 22 are pinned to exact versions in their own lock (the gateway's stays Node 20).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const DIR = path.join(ROOT, 'scripts/ci/conformance');

/** The scenarios issue 26 names as applicable to a gateway, and those that passed before it: never baselined. */
const MUST_PASS = [
  'server-initialize',
  'ping',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-error',
  'dns-rebinding-protection',
  'logging-set-level',
  'prompts-list',
  'resources-list',
  'completion-complete',
  'tools-call-with-progress',
];

function baseline(): { scenario: string; reason: string }[] {
  const lines = fs.readFileSync(path.join(DIR, 'expected-failures.yml'), 'utf8').split('\n');
  expect(lines.filter((l) => /^\S/.test(l) && !l.startsWith('#'))).toEqual(['server:']);
  return lines
    .filter((l) => /^\s+-/.test(l))
    .map((l) => {
      const m = /^\s+- ([a-z0-9-]+) # (\S.*)$/.exec(l);
      if (!m) throw new Error(`baseline line without "- <scenario> # <reason>": ${l}`);
      return { scenario: m[1], reason: m[2] };
    });
}

describe('MCP conformance baseline', () => {
  it('lists each scenario once, each with a one-line reason', () => {
    const entries = baseline();
    expect(entries.length).toBeGreaterThan(0);
    expect(new Set(entries.map((e) => e.scenario)).size).toBe(entries.length);
    for (const e of entries) expect(e.reason.length).toBeGreaterThan(10);
  });

  it('never lists a scenario the gateway must pass', () => {
    const listed = baseline().map((e) => e.scenario);
    expect(listed.filter((s) => MUST_PASS.includes(s))).toEqual([]);
  });

  it('pins the suite and Node 22 exactly, in a lock of their own', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(DIR, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies['@modelcontextprotocol/conformance']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies.node).toMatch(/^22\.\d+\.\d+$/);
    const lock = JSON.parse(fs.readFileSync(path.join(DIR, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    expect(lock.packages['node_modules/node'].version).toBe(pkg.dependencies.node);
    expect(lock.packages['node_modules/@modelcontextprotocol/conformance'].version).toBe(
      pkg.dependencies['@modelcontextprotocol/conformance'],
    );
    // The gateway's own dependencies do not bring a node binary (npm scripts would run on it).
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect({ ...root.dependencies, ...root.devDependencies }.node).toBeUndefined();
    expect(root.scripts.conformance).toBe('bash scripts/ci/conformance.sh');
    expect(fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toMatch(/npm run conformance/);
  });
});
