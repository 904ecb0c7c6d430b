import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The layer rule of README "Development": a module (a top-level folder of src/, or main.ts and the
 * app wiring files) imports only modules on lower lines of the README's diagram. The diagram is read
 * from the README itself, so the picture and the code cannot drift apart.
 */
const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src');

/** The diagram's lines, top first: each a list of units (`src/admin`, `main.ts`). */
export function readLayers(readme: string): string[][] {
  const at = readme.indexOf('- Layers:');
  const open = readme.indexOf('```', at);
  const close = readme.indexOf('```', open + 3);
  if (at < 0 || open < 0 || close < 0) throw new Error('README has no layer diagram under "- Layers:"');
  return readme
    .slice(open + 3, close)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => line.split(/\s{2,}/)[0].split(/,\s*/));
}

/** The unit a file under src/ belongs to: its top-level folder (`src/admin`) or the file (`main.ts`). */
export function unitOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  if (rel.length === 1 && fs.existsSync(file) && fs.statSync(file).isDirectory()) return `src/${rel[0]}`;
  return rel.length === 1 ? `${rel[0].replace(/\.(ts|js)$/, '')}.ts` : `src/${rel[0]}`;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;

/** The relative module specifiers of a source text (import, export … from, import(), require()). */
export function relativeSpecifiers(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((m) => m[2]);
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) out.push(p);
  }
  return out;
}

/** Every import that breaks the rule, as `from -> to (unit -> unit)`. */
export function violations(
  layers: string[][],
  files: string[],
  read: (file: string) => string = (f) => fs.readFileSync(f, 'utf8'),
): string[] {
  const row = new Map<string, number>();
  layers.forEach((units, i) => units.forEach((u) => row.set(u, i)));
  const bad: string[] = [];
  for (const file of files) {
    const from = unitOf(file);
    for (const spec of relativeSpecifiers(read(file))) {
      const target = path.resolve(path.dirname(file), spec);
      if (!target.startsWith(SRC + path.sep)) continue;
      const to = unitOf(target);
      if (to === from) continue;
      const a = row.get(from);
      const b = row.get(to);
      if (a === undefined || b === undefined || b <= a) {
        bad.push(`${path.relative(ROOT, file)} -> ${spec} (${from} -> ${to})`);
      }
    }
  }
  return bad;
}

describe('layers (README "Development")', () => {
  const layers = readLayers(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const files = sourceFiles(SRC);

  it('the diagram places every module of src/ exactly once', () => {
    const placed = layers.flat();
    expect(new Set(placed).size).toBe(placed.length);
    const units = [...new Set(files.map(unitOf))].sort();
    expect(units.filter((u) => !placed.includes(u))).toEqual([]);
    expect(placed.filter((u) => !units.includes(u))).toEqual([]);
  });

  it('no module imports one above it or beside it', () => {
    expect(violations(layers, files)).toEqual([]);
  });

  it('the check sees an upward import, a sideways import and one to an unplaced module', () => {
    const probe = path.join(SRC, 'planhat', 'proxy', 'probe.ts');
    const text = [
      "import { AdminModule } from '../../admin/admin.module';",
      "export { x } from '../../sandbox/index';",
      "const y = require('../../nowhere/thing');",
      "const z = import('../../app.module');",
      "import '../catalog';",
      "import { Clock } from '../../common/clock';",
    ].join('\n');
    expect(violations(layers, [probe], () => text)).toEqual([
      expect.stringContaining('(src/planhat -> src/admin)'),
      expect.stringContaining('(src/planhat -> src/sandbox)'),
      expect.stringContaining('(src/planhat -> src/nowhere)'),
      expect.stringContaining('(src/planhat -> app.module.ts)'),
    ]);
  });
});
