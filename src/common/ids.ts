/** Admin records (accounts, MCP servers, API tokens) have UUID ids; anything else cannot exist. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether an id can name an admin record. Checked before any query, so ids that could never match
 * (NUL bytes and other characters PostgreSQL rejects in text) are a plain 404, not a database error.
 */
export function isRecordId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}
