import { CONVENTION_HINTS } from '../planhat/catalog/fields';

/** A JSON Schema as plain JSON (what tools/list carries). */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schemas MCP clients receive (tools/list, get_tool_schema, get_model_action_parameters):
 * portable (none of the constructs clients and validators warn about) and compact (what a model
 * needs, said once).
 *
 * Portable: no empty `{}` subschema, no `additionalProperties: {}`, no untyped property, no array
 * without `items`. zod writes `z.unknown()` as `{}` and a record of unknown values as
 * `additionalProperties: {}`; here an open object is just `{type: "object"}` (JSON Schema allows any
 * further key by default) and an unknown value becomes an `anyOf` of single JSON types.
 *
 * Compact: zod's noise goes (the ±2^53 bounds of every integer, `propertyNames: {type: string}`,
 * `minLength: 1`, max lengths of 255 and more, `additionalProperties: false`: no model needs them
 * and the server still checks them, naming the argument that is wrong), and so
 * do descriptions that only repeat the property's name ("City" for `city`) and the id and date
 * conventions the server's `instructions` state once for every tool (CONVENTION_HINTS).
 * Descriptions that carry meaning (units, formats, which id goes where when it is not the
 * convention, enums explained) stay. The zod schema still validates every call in full.
 */
const SAFE = Number.MAX_SAFE_INTEGER;
const STOP_WORDS = new Set(['a', 'an', 'the', 'of']);
/** What an unknown value may be, typed (single types: some clients accept no type list). */
const ANY_VALUE: JsonSchema = {
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'object' },
    { type: 'array', items: { type: 'string' } },
  ],
};

const words = (s: string) =>
  s
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !STOP_WORDS.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w));

/**
 * Whether a description says nothing beyond the property's name ("Postal code" is kept for `zip`).
 * An `id` inside a reference object described as "<what> id" repeats its parent ("Account: {id}").
 */
export function echoesName(name: string, description: string): boolean {
  if (name === 'id' && /^[\w ()]{1,40} id$/.test(description)) return true;
  const own = new Set(words(name));
  const said = words(description);
  return said.length > 0 && said.every((w) => own.has(w));
}

/**
 * Description texts (or parts) that the instructions say for every tool, or that speak of the REST
 * API only: the catalog's id/date hints, and the texts the list and unified schemas share with
 * REST (src/planhat/catalog, src/unified). A description left empty is dropped.
 */
const SAID_ONCE: readonly RegExp[] = [
  ...CONVENTION_HINTS.map((h) => new RegExp(h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g')),
  // native lists (catalog listQuerySchema) and unified lists (unified.schemas.ts, filters.ts)
  /^Field to sort by, `-` prefix for descending.*$/,
  /^Page size \(default 100[,;] at most \d+[;,] larger values are (rejected|clamped)\)$/,
  /^Cursor from the previous page.*$/,
  /^A page's prev_cursor.*$/,
  /^Only records of these companies \(comma-separated ids\)$/,
  /^Records with (created|updated)_at at or after this ISO 8601 time$/,
  /^The value$/,
  /^Ignored on write$/,
  // which Planhat field a unified one maps to: for REST users comparing the two APIs
  /\s*\(Planhat [\w.]+( filter)?\)/g,
  /\s*\(\d+–\d+, default \d+\)$/,
  /\s*\(applied by the gateway\)/g,
  /; applied by the gateway/g,
  /; (created|updated)_at\[gt\|gte\|lt\|lte\] for other bounds/g,
  // ISO dates (unified kit) and custom field maps (catalog body-schemas, unified kit)
  /\s*\(ISO 8601, e\.g\. [^)]*\)/g,
  /^Custom field values keyed by the custom field name.*$/,
];

function stripConventions(description: string): string {
  let d = description;
  // Until nothing changes: a text may match an anchored pattern only once a part is gone.
  for (let before = ''; before !== d;) {
    before = d;
    for (const hint of SAID_ONCE) d = d.replace(hint, '');
    d = d.replace(/\s*[:;,]\s*$/, '').trim();
  }
  // select, unified sort (the instructions say that `-` sorts descending) and search filters, shorter.
  return d
    .replace(/^Comma-separated fields to return, e\.g\. `name,companyId`$/, 'Comma-separated fields to return')
    .replace(/^Unified field to sort by, - prefix for descending: /, 'One of: ')
    .replace(/^Records whose (.+) contains this text \(case-insensitive\)$/, 'Text in $1 (case-insensitive)');
}

const isEmptySchema = (v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

function compactNode(node: JsonSchema, name: string | undefined): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$schema':
      case 'propertyNames':
        continue;
      case 'minimum':
        if (value === -SAFE) continue;
        break;
      case 'maximum':
        if (value === SAFE) continue;
        break;
      case 'minLength':
        if (value === 1) continue;
        break;
      case 'maxLength':
        if (typeof value === 'number' && value >= 255) continue;
        break;
      case 'additionalProperties':
        // Left out when it allows anything (`{}`, true) and when it is false: the server refuses
        // unknown arguments with a message naming them, and a model needs only the listed ones.
        if (isEmptySchema(value) || value === true || value === false) continue;
        if (value && typeof value === 'object') {
          out[key] = compactNode(value as JsonSchema, undefined);
          continue;
        }
        break;
      case 'description': {
        const d = stripConventions(String(value));
        if (!d || (name !== undefined && echoesName(name, d))) continue;
        out[key] = d;
        continue;
      }
      case 'properties': {
        const props: Record<string, JsonSchema> = {};
        for (const [prop, sub] of Object.entries(value as Record<string, JsonSchema>))
          props[prop] = compactSchemaNode(sub, prop);
        out[key] = props;
        continue;
      }
      case 'items':
        out[key] = Array.isArray(value)
          ? value.map((v: JsonSchema) => compactSchemaNode(v, undefined))
          : compactSchemaNode(value as JsonSchema, undefined);
        continue;
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
        out[key] = (value as JsonSchema[]).map((v) => compactSchemaNode(v, undefined));
        continue;
    }
    out[key] = value;
  }
  return out;
}

/** A subschema in a position where a value is described (property, item, branch): never untyped. */
function compactSchemaNode(node: JsonSchema, name: string | undefined): JsonSchema {
  const out = compactNode(node, name);
  if (isTyped(out)) return out;
  // `{}` or `{description}` (z.unknown(), z.any()): any JSON value, typed.
  return { ...ANY_VALUE, ...out };
}

function isTyped(s: JsonSchema): boolean {
  return (
    s.type !== undefined ||
    Array.isArray(s.anyOf) ||
    Array.isArray(s.oneOf) ||
    Array.isArray(s.allOf) ||
    Array.isArray(s.enum) ||
    'const' in s
  );
}

/** The compact, portable form of a tool's input schema (a new object; the argument is not changed). */
export function compactSchema(schema: JsonSchema): JsonSchema {
  const out = compactNode(schema, undefined);
  if (out.type === undefined) out.type = 'object';
  return out;
}

/**
 * What makes a schema unportable, as paths: an empty `{}` subschema anywhere, an
 * `additionalProperties` that is an empty or untyped schema, a property, item or branch without a
 * type, an array without `items`. Empty for a portable schema. (The test of item 4 walks every tool of every exposure with it.)
 */
export function schemaProblems(schema: unknown, path = '$'): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, at: string, mustBeTyped: boolean) => {
    if (node === true || node === false) return;
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      problems.push(`${at}: not a schema`);
      return;
    }
    const s = node as JsonSchema;
    if (Object.keys(s).length === 0) {
      problems.push(`${at}: empty {} schema`);
      return;
    }
    if (mustBeTyped && !isTyped(s)) problems.push(`${at}: no type`);
    if (
      (s.type === 'array' || (Array.isArray(s.type) && s.type.includes('array'))) &&
      s.items === undefined &&
      s.prefixItems === undefined
    ) {
      problems.push(`${at}: array without items`);
    }
    if (s.properties !== undefined) {
      for (const [k, v] of Object.entries(s.properties as Record<string, unknown>))
        visit(v, `${at}.properties.${k}`, true);
    }
    if (s.additionalProperties !== undefined) {
      if (isEmptySchema(s.additionalProperties)) problems.push(`${at}.additionalProperties: empty {} schema`);
      else visit(s.additionalProperties, `${at}.additionalProperties`, true);
    }
    if (s.items !== undefined) {
      if (Array.isArray(s.items)) s.items.forEach((v, i) => visit(v, `${at}.items[${i}]`, true));
      else visit(s.items, `${at}.items`, true);
    }
    for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
      const list = s[k];
      if (list !== undefined) {
        if (!Array.isArray(list) || list.length === 0) problems.push(`${at}.${k}: not a non-empty list`);
        else list.forEach((v, i) => visit(v, `${at}.${k}[${i}]`, true));
      }
    }
    for (const k of ['not', 'if', 'then', 'else', 'contains', 'propertyNames']) {
      if (s[k] !== undefined) visit(s[k], `${at}.${k}`, false);
    }
    for (const k of ['$defs', 'definitions', 'patternProperties']) {
      const defs = s[k];
      if (defs && typeof defs === 'object')
        for (const [n, v] of Object.entries(defs)) visit(v, `${at}.${k}.${n}`, true);
    }
  };
  visit(schema, path, true);
  return problems;
}
