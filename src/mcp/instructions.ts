/**
 * The MCP server's `instructions` (sent once, in the answer to initialize): the conventions every
 * tool shares, said here once instead of in each of ~190 tool schemas (issue 19: the tool list is
 * read in every conversation). Tool and field descriptions (tool-index.ts, schema-compact.ts) rely
 * on this text: what is dropped there must be said here.
 */
export const INSTRUCTIONS = [
  'Planhat (customer success platform) tools. Conventions shared by every tool:',
  "- Ids: never invent one. `id` takes the record's 24-hex `_id` from its list tool, or `extid-<externalId>` / `srcid-<sourceId>` (invoices: `extid-<extId>`). externalId is your own id for a record, sourceId its id in a source integration such as a CRM. To act on a company by name, resolve it first (the resolve tool, or list_all_planhat_companies with select=name) and pass its `_id` as companyId (cId on invoices and NPS, companyIds on issues; comma-separated ids in list filters). Fields owner, ownerId, coOwner, assignedId and other user fields take a user's `_id` from list_all_planhat_users (your team members, not customer contacts); euId/enduserId an enduser's `_id` from list_all_planhat_endusers. In unified tools, references such as account.id take the Planhat `_id` from the unified list tool (list_all_crm_accounts for accounts).",
  "- Lists answer {result, next_cursor}: while next_cursor is not null, call again with it and the other arguments unchanged (prev_cursor goes back, in unified lists). limit sets the page size (default 100, at most the schema's maximum); a page is also cut at whole records under ~100 KB. Planhat list tools take sort (a field name, `-` prefix for descending, e.g. -updatedAt) and select (comma-separated fields to return, e.g. name,phase; `_id` always comes back): select only the fields you need. Unified lists filter created_at/updated_at to records at or after that time.",
  '- Unified tools (crm, ticketing) answer unified records without remote_data (the whole Planhat record); pass include_remote_data: true to a list or get to have it.',
  '- Dates are ISO 8601 strings (2026-01-31 or 2026-01-31T12:00:00Z) unless a field says integer days since 1970-01-01.',
  "- custom (custom_fields in unified tools) holds custom field values keyed by the field name; writes merge them key by key. The schema lists this account's fields; list_all_planhat_custom_fields shows the definitions.",
  "- Writes: updates are partial (only the fields sent change). dry_run: true on update and delete tools writes nothing and answers the changes it would make ({dry_run, changes: [{field, before, after}], unchanged}) or the record it would delete ({dry_run, would_delete}). idempotency_key on create and bulk tools: a unique value per write (e.g. a UUID); a retry with the same key and arguments within 24 h returns the first result instead of writing again. bulk_upsert tools take items with the fields of the model's update tool and answer Planhat's summary (created, updated, createdErrors, updatedErrors).",
  '- Insights answer in one call and report upstream_calls, the Planhat requests they took.',
  "- A failed call is a result with isError: its text gives the status, Planhat's message and the next step (which tool to call, which field to fix, when to retry).",
].join('\n');
