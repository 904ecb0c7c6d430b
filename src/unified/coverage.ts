import { MAPPERS, type UnifiedMapper } from './mappers';
import { UNIFIED_RESOURCES } from './unified-resources';

/**
 * The README coverage table, generated from the mapper data: for every unified field, the Planhat
 * field behind it and whether it is readable and writable. `coverage.spec.ts` fails when the README
 * copy is stale (it prints the fresh table).
 */
export function coverageMarkdown(): string {
  const groups = new Map<UnifiedMapper, string[]>();
  for (const r of UNIFIED_RESOURCES) {
    const m = MAPPERS[`${r.api}/${r.resource}` as keyof typeof MAPPERS];
    groups.set(m, [...(groups.get(m) ?? []), `${r.api}/${r.resource} ← ${r.native}`]);
  }
  const lines: string[] = [];
  for (const [m, names] of groups) {
    const writes = UNIFIED_RESOURCES.some((r) => MAPPERS[`${r.api}/${r.resource}` as keyof typeof MAPPERS] === m && (r.ops.includes('create') || r.ops.includes('update')));
    lines.push(`**${names.join(', ')}**`, '', '| Unified field | Planhat field | Read | Write | Notes |', '|---|---|---|---|---|');
    lines.push('| id | _id | ✓ | | |');
    for (const f of m.fields) {
      lines.push(`| ${f.unified} | ${f.native} | ✓ | ${f.schema && writes ? '✓' : ''} | ${f.note ?? ''} |`);
    }
    lines.push('| remote_data | (the whole record) | ✓ | | unless include_remote_data=false |', '');
  }
  return lines.join('\n').trimEnd();
}
