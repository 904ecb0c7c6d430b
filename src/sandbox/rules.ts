/**
 * The little model-specific behaviour the sandbox needs beyond the catalog: server-computed fields
 * and read-only views. Everything keyed by catalog model key; a model without an entry has no
 * auto fields, so adding a model to the catalog needs nothing here.
 */
export type Rec = Record<string, unknown>;

export interface AutoContext {
  mode: 'create' | 'update';
  /** Keys present in the write body. */
  changed: ReadonlySet<string>;
  nextCounter: (name: string) => number;
}

/** Conversation types that exist in every sandbox tenant. Unknown types fall back to `note` (Planhat). */
export const CONVERSATION_TYPES = new Set(['note', 'email', 'call', 'chat', 'ticket', 'meeting']);

export function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const round2 = (n: number) => Math.round(n * 100) / 100;

export const AUTO_FIELDS: Record<string, (rec: Rec, ctx: AutoContext) => void> = {
  companies: (rec, { mode }) => {
    if (mode === 'create') {
      rec.status ??= 'prospect';
      if (typeof rec.name === 'string') rec.slug ??= slugify(rec.name);
      rec.domains ??= [];
      rec.tags ??= [];
    }
  },
  endusers: (rec, { mode, changed }) => {
    if (mode === 'create' || changed.has('firstName') || changed.has('lastName')) {
      const name = [rec.firstName, rec.lastName].filter((x) => typeof x === 'string' && x).join(' ');
      rec.name = name || (typeof rec.email === 'string' ? rec.email : '');
    }
    if (mode === 'create') {
      rec.archived ??= false;
      rec.tags ??= [];
    }
  },
  users: (rec, { mode }) => {
    if (mode === 'create') rec.inactive ??= false;
  },
  licenses: (rec, { mode, changed }) => {
    if (num(rec.mrr) && (mode === 'create' || changed.has('mrr'))) rec.arr = round2(rec.mrr * 12);
    if (mode === 'create' || changed.has('toDate')) if (rec.toDate !== undefined) rec.renewalDate = rec.toDate;
    if (mode === 'create') rec.renewalStatus ??= 'ongoing';
  },
  invoices: (rec, { mode, nextCounter }) => {
    if (mode === 'create' && rec.invoiceNo === undefined) rec.invoiceNo = nextCounter('invoiceNo');
    if (mode === 'create') rec.status ??= 'pending';
  },
  opportunities: (rec, { mode, changed }) => {
    if (num(rec.mrr) && !changed.has('arr') && (mode === 'create' || changed.has('mrr')))
      rec.arr = round2(rec.mrr * 12);
    if (mode === 'create') {
      rec.status ??= 'active';
      rec.contractLength ??= 12;
    }
  },
  tasks: (rec, { mode }) => {
    if (mode === 'create') {
      rec.isArchived ??= false;
      rec.status ??= 'open';
    }
  },
  tickets: (rec, { mode }) => {
    if (mode === 'create') rec.type ??= 'ticket';
  },
  conversations: (rec, { mode, changed }) => {
    if (mode === 'create' || changed.has('type')) {
      if (typeof rec.type !== 'string' || !CONVERSATION_TYPES.has(rec.type)) rec.type = 'note';
    }
  },
  time_entries: (rec, { mode }) => {
    rec.totalBilled = num(rec.hours) && num(rec.billableRate) ? round2(rec.hours * rec.billableRate) : 0;
    rec.totalCost = num(rec.hours) && num(rec.costRate) ? round2(rec.hours * rec.costRate) : 0;
    if (mode === 'create') rec.timesheetStatus ??= 'draft';
  },
  timesheets: (rec, { mode }) => {
    if (mode === 'create') {
      rec.status ??= 'submitted';
      rec.assignedModel ??= 'User';
      rec.timeEntries ??= [];
    }
  },
  custom_fields: (rec, { mode }) => {
    if (mode === 'create') rec.isHidden ??= false;
  },
};

/** Read-only projections of another model's collection (Planhat's `/leancompanies`). */
export interface View {
  source: string;
  project: (rec: Rec) => Rec;
}

export const VIEWS: Record<string, View> = {
  leancompanies: {
    source: 'companies',
    project: (r) => ({
      _id: r._id,
      name: r.name,
      externalId: r.externalId ?? '',
      sourceId: r.sourceId ?? '',
      slug: r.slug ?? (typeof r.name === 'string' ? slugify(r.name) : ''),
    }),
  },
};

/** Models whose archived records Planhat hides from the list. */
export const HIDE_ARCHIVED = new Set(['endusers']);

/** Models whose bulk upsert also takes a single object, and silently drops items lacking a field. */
export const UPSERT_QUIRKS: Record<string, { singleObject?: boolean; dropWithout?: string }> = {
  tickets: { singleObject: true, dropWithout: 'email' },
};
