import type { z } from 'zod';

/** Operations a Planhat model can support. `bulk_upsert` is `PUT /{path}` with an array body. */
export const OPERATIONS = ['list', 'get', 'create', 'update', 'delete', 'bulk_upsert'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Method classes used by MCP server policies (docs/contract.md §4). */
export type MethodClass = 'read' | 'write' | 'custom';
export function methodClassOf(op: Operation): MethodClass {
  if (op === 'list' || op === 'get') return 'read';
  if (op === 'create' || op === 'update' || op === 'delete') return 'write';
  return 'custom';
}

/** Domain tags (docs/contract.md §5). Every native tool also carries `planhat`. */
export const DOMAIN_TAGS = ['crm', 'finance', 'support', 'success', 'projects'] as const;
export type DomainTag = (typeof DOMAIN_TAGS)[number];

/** A field's zod schema; `.describe()` carries the description shown in Swagger and MCP. */
export type FieldShape = Record<string, z.ZodType>;

export interface ModelDef {
  /** REST name used by `/proxy/:resource` (plural snake_case), also the catalog key. */
  readonly key: string;
  /** Planhat path, e.g. `/companies`, `/customfields`, `/churn`. */
  readonly path: string;
  /** Human label, singular and plural (descriptions). */
  readonly label: { one: string; many: string };
  /** Planhat's model name, as used by custom field `parent` (e.g. `Company`, `EndUser`). */
  readonly modelName: string;
  /** Tool-name stems: `list_all_planhat_<many>`, `get_single_planhat_<one>_by_id`, ... */
  readonly stems: { one: string; many: string };
  /** What Planhat supports for this model (the proxy and the sandbox serve all of these). */
  readonly ops: readonly Operation[];
  /** Which of `ops` become MCP tools (default: all). Kept to the seed tool set. */
  readonly toolOps?: readonly Operation[];
  /** Planhat's `POST {path}/duplicate {ids}` (time entries): copies of records, created now. */
  readonly duplicate?: boolean;
  readonly tags: readonly DomainTag[];
  /** One-line summary of the model for descriptions. */
  readonly summary: string;
  /** Writable fields (create/update bodies). `custom` is added for models with custom fields. */
  readonly fields: FieldShape;
  /** Fields required on create. */
  readonly required: readonly string[];
  /** Groups of which at least one field is required on create (e.g. enduser email|externalId|sourceId). */
  readonly requiredOneOf?: readonly (readonly string[])[];
  /** Model-specific list filters, beyond limit/offset/sort/select. */
  readonly filters: FieldShape;
  /** Largest page Planhat serves for this model; larger limits are clamped. */
  readonly maxLimit: number;
  /** The field holding the company reference: `companyId`, `cId` (invoices, NPS), `companyIds` (issues). */
  readonly companyRef?: 'companyId' | 'cId' | 'companyIds';
  /** Fields stored as integer days since 1970-01-01 (invoices, timesheets). */
  readonly dayDates?: readonly string[];
  /** Field holding the record's id in the customer's system (`externalId`, or `extId` on invoices). */
  readonly externalIdField?: 'externalId' | 'extId';
  /** Denormalised company name field (`companyName`, or `cName` on invoices). */
  readonly companyNameField?: 'companyName' | 'cName';
  /** Timestamp fields the record carries. */
  readonly timestamps: { created: string; updated: string };
  /** Whether records carry `custom` (custom field values keyed by display name). */
  readonly hasCustom: boolean;
  /** Field naming a record for humans (search, summaries). */
  readonly titleField: string;
  /** Extra bulk-upsert keyables beyond `_id`, `sourceId`, externalIdField (endusers: `email`). */
  readonly extraKeyables?: readonly string[];
  /** Field constraints beyond types, checked by the sandbox on create/update (message names the field). */
  readonly check?: (body: Record<string, unknown>, mode: 'create' | 'update') => string | undefined;
}

export interface ToolDef {
  readonly name: string;
  readonly model: ModelDef;
  readonly op: Operation;
  readonly method: MethodClass;
  readonly tags: readonly string[];
}
