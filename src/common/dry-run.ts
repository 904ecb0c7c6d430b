import { GatewayError } from './errors';

/**
 * `dry_run` on updates and deletes (proxy, unified API, MCP tools): absent or false writes, true
 * previews (`"true"` in a query string, `true` in MCP arguments). Anything else is a 400, never a
 * write the caller meant as a preview.
 */
export function parseDryRun(raw: unknown): boolean {
  if (raw === undefined || raw === false || raw === 'false') return false;
  if (raw === true || raw === 'true') return true;
  throw GatewayError.invalid(
    'Query parameter dry_run must be true or false',
    { field: 'dry_run' },
    'Send dry_run=true to preview the change without writing it.',
  );
}

/** Swagger's description of the `dry_run` query parameter. */
export const DRY_RUN_QUERY = {
  name: 'dry_run',
  required: false,
  schema: { type: 'boolean' as const },
  description:
    'true: write nothing; answer what would change (updates: {dry_run, id or _id, changes: [{field, before, after}], unchanged}; deletes: {dry_run, would_delete: <the record>})',
};
