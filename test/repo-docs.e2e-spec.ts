/**
 * The repository stands alone and says what it needs (issue #24, items 2, 6 and 10): nothing in
 * README, docs, src, scripts or test points outside the repo, the Planhat API notes live in docs/,
 * the Node versions are declared, and `npm test` says in one line when it skipped the
 * PostgreSQL/Redis suites.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
// Spelled in pieces so this file does not match itself.
const OUTSIDE = [['..', 'shared'].join('/'), ['', 'work', 'shared'].join('/')];
const OLD_CONTRACT = new RegExp(['CONT', 'RACT §'].join(''));

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (/\.(ts|js|md|json|wat|sh)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('the repository stands alone', () => {
  it('no file in README, docs, src, scripts or test refers to a sibling shared folder', () => {
    const files = [
      path.join(ROOT, 'README.md'),
      path.join(ROOT, '.env.example'),
      ...['docs', 'src', 'scripts', 'test', 'ops'].flatMap((d) =>
        fs.existsSync(path.join(ROOT, d)) ? filesUnder(path.join(ROOT, d)) : [],
      ),
    ];
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter(
      (f) => fs.existsSync(f) && OUTSIDE.some((s) => fs.readFileSync(f, 'utf8').includes(s)),
    );
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  it('the public contract is docs/contract.md: every section the code cites exists, and nothing cites another contract', () => {
    const contract = fs.readFileSync(path.join(ROOT, 'docs/contract.md'), 'utf8');
    const sections = new Set([...contract.matchAll(/^## §(\d+) /gm)].map((m) => Number(m[1])));
    expect(sections.size).toBeGreaterThanOrEqual(11);
    const files = ['src', 'scripts', 'test'].flatMap((d) => filesUnder(path.join(ROOT, d)));
    const cited: string[] = [];
    const problems: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(/docs\/contract\.md §(\d+)(?:-§(\d+))?/g)) {
        cited.push(m[0]);
        for (const n of [m[1], m[2]].filter(Boolean).map(Number))
          if (!sections.has(n)) problems.push(`${path.relative(ROOT, f)} cites §${n}`);
      }
      // A contract cited by its old upper-case name (a document that is not in the repo).
      if (OLD_CONTRACT.test(text)) problems.push(`${path.relative(ROOT, f)} cites the old contract name`);
    }
    expect(cited.length).toBeGreaterThan(10);
    expect(problems).toEqual([]);
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('(docs/contract.md)');
  });

  it('the Planhat API notes are in docs/ and the README links them', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/planhat-api.md'), 'utf8');
    for (const topic of ['extid-', 'bulk upsert', 'X-Rate-Limit-Remaining', '/leancompanies', 'deletedCount'])
      expect(doc).toContain(topic);
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('(docs/planhat-api.md)');
  });
});

describe('Node versions (20.11+ and 22)', () => {
  it('package.json declares >=20.11 and the README names Node 20.11+ and 22', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.engines.node).toBe('>=20.11');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/Node 20\.11\+ or 22/);
  });

  it('this process runs on a supported Node', () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    expect(major > 20 || (major === 20 && minor >= 11)).toBe(true);
  });
});

describe('npm test reports skipped PostgreSQL/Redis suites', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the reporter is a CommonJS script jest loads
  const { skippedServicesLine } = require('../scripts/lib/skipped-services-reporter.js') as {
    skippedServicesLine: (r: unknown, env?: Record<string, string>, read?: (f: string) => string) => string | undefined;
  };
  const results = {
    testResults: [
      { testFilePath: '/x/test/scale-out.e2e-spec.ts', numPendingTests: 4 },
      { testFilePath: '/x/test/proxy.e2e-spec.ts', numPendingTests: 1 },
      { testFilePath: '/x/test/admin.e2e-spec.ts', numPendingTests: 0 },
    ],
  };
  const read = (f: string) => (f.includes('scale-out') ? 'process.env.TEST_POSTGRES_URL' : 'nothing');

  it('names the skipped suites and how to run them, in one line', () => {
    const line = skippedServicesLine(results, {}, read)!;
    expect(line).toContain('scale-out.e2e-spec.ts (4)');
    expect(line).not.toContain('proxy.e2e-spec.ts');
    expect(line).toContain('npm run test:scale-out');
    expect(line.split('\n')).toHaveLength(1);
  });

  it('says nothing when the services are configured or nothing was skipped', () => {
    expect(
      skippedServicesLine(results, { TEST_POSTGRES_URL: 'postgres://x', TEST_REDIS_URL: 'redis://x' }, read),
    ).toBeUndefined();
    expect(skippedServicesLine({ testResults: [results.testResults[2]] }, {}, read)).toBeUndefined();
  });

  it('jest prints the line when it skips the scale-out suite', () => {
    const env = { ...process.env };
    delete env.TEST_POSTGRES_URL;
    delete env.TEST_REDIS_URL;
    // jest writes its reports to stderr: capture both streams.
    const both = execFileSync(
      'bash',
      ['-c', `"${process.execPath}" "${require.resolve('jest/bin/jest')}" --runInBand test/scale-out.e2e-spec.ts 2>&1`],
      { cwd: ROOT, env, encoding: 'utf8' },
    );
    const lines = both.split('\n').filter((l) => l.includes('npm run test:scale-out'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('scale-out.e2e-spec.ts');
  });
});
