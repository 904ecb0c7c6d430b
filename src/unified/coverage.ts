import { filtersOf } from './filters';
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
    const writes = UNIFIED_RESOURCES.some(
      (r) =>
        MAPPERS[`${r.api}/${r.resource}` as keyof typeof MAPPERS] === m &&
        (r.ops.includes('create') || r.ops.includes('update')),
    );
    lines.push(
      `**${names.join(', ')}**`,
      '',
      '| Unified field | Planhat field | Read | Write | Notes |',
      '|---|---|---|---|---|',
    );
    lines.push('| id | _id | ✓ | | |');
    for (const f of m.fields) {
      lines.push(`| ${f.unified} | ${f.native} | ✓ | ${f.schema && writes ? '✓' : ''} | ${f.note ?? ''} |`);
    }
    lines.push('| remote_data | (the whole record) | ✓ | | unless include_remote_data=false |', '');
  }
  lines.push(
    '**List filters** (Planhat = sent as a Planhat list parameter; gateway = Planhat has no such parameter, the gateway tests each record)',
    '',
    '| Resource | Filter | Runs in | Planhat parameter |',
    '|---|---|---|---|',
  );
  for (const r of UNIFIED_RESOURCES) {
    if (!r.ops.includes('list')) continue;
    const m = MAPPERS[`${r.api}/${r.resource}` as keyof typeof MAPPERS];
    for (const [name, rule] of Object.entries(filtersOf(m))) {
      lines.push(`| ${r.api}/${r.resource} | ${name} | ${rule.param ? 'Planhat' : 'gateway'} | ${rule.param ?? ''} |`);
    }
    for (const ts of ['created_at', 'updated_at']) {
      if (m.fields.some((f) => f.unified === ts && !f.read))
        lines.push(`| ${r.api}/${r.resource} | ${ts}[gt\\|gte\\|lt\\|lte] | gateway | |`);
    }
    if (m.fixedQuery)
      lines.push(
        `| ${r.api}/${r.resource} | (always) | Planhat | ${Object.entries(m.fixedQuery)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')} |`,
      );
  }
  lines.push(
    '| every list | remote_query[name] | Planhat | name (unchanged; not limit or offset) |',
    "| every list | sort, sort_by[field] | Planhat | sort (the field's Planhat name) |",
  );
  return lines.join('\n').trimEnd();
}
