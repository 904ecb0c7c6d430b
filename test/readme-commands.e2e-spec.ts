/**
 * The README's commands run (issue #24, item 5): every ```bash block of the "Try it" section, and
 * any other block right after a `<!-- readme-test -->` line, is run with `bash -e` against the built
 * gateway started as a child process in an empty directory (so `data/admin_api_key` is its key
 * file). `localhost:3000` is rewritten to the port the test picked, and `curl` fails on HTTP errors
 * (`--fail-with-body`), so a command that breaks or answers 4xx/5xx fails this suite.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, freePort, ROOT, spawnNode, tmpDir, type Child } from './reliability-helpers';

interface Block {
  heading: string;
  line: number;
  code: string;
}

/** The ```bash blocks to run: all of the "Try it" section, plus those marked `<!-- readme-test -->`. */
export function runnableBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^(#{2,3}) (.*)$/.exec(lines[i]);
    if (h) heading = h[2].trim();
    if (lines[i].trim() !== '```bash') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) body.push(lines[i]);
    const marked = lines.slice(Math.max(0, start - 2), start).some((l) => l.trim() === '<!-- readme-test -->');
    if (heading === 'Try it' || marked) blocks.push({ heading, line: start + 1, code: body.join('\n') });
  }
  return blocks;
}

function bash(script: string, cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-e', '-o', 'pipefail', '-c', script],
      { cwd, timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
      },
    );
  });
}

const CURL_FAILS = 'curl() { command curl --fail-with-body --show-error "$@"; }\n';

describe('README commands', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  let gw: Child;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    ensureBuilt();
    dir = tmpDir('phg-readme-');
    port = await freePort();
    gw = await spawnNode(
      path.join(ROOT, 'dist/main.js'),
      { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      /Planhat gateway listening on (http:\/\/\S+)/,
      60_000,
      dir,
    );
  }, 120_000);
  afterAll(async () => {
    await gw?.stop('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the Try it commands', () => {
    const blocks = runnableBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    expect(blocks.some((b) => b.heading === 'Try it' && b.code.includes('/proxy/companies'))).toBe(true);
  });

  it('the harness notices a failing command', async () => {
    const r = await bash(`${CURL_FAILS}curl -s "http://localhost:${port}/proxy/companies"`, dir);
    expect(r.code).not.toBe(0);
  });

  it('every block runs and succeeds against the started gateway', async () => {
    // Blocks of one section share shell variables (KEY, ACCT, ...), so each section runs as one script.
    const failures: string[] = [];
    const bySection = new Map<string, Block[]>();
    for (const b of runnableBlocks(readme)) bySection.set(b.heading, [...(bySection.get(b.heading) ?? []), b]);
    for (const [heading, blocks] of bySection) {
      const script =
        CURL_FAILS +
        blocks
          .map((b) => `# README.md line ${b.line}\n${b.code}`)
          .join('\n')
          .replaceAll('localhost:3000', `localhost:${port}`);
      const r = await bash(script, dir);
      if (r.code !== 0) failures.push(`section "${heading}" failed (exit ${r.code}):\n${r.out.slice(-2000)}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
