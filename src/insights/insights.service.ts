import { Injectable } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/errors';
import { PlanhatService } from '../planhat/planhat.service';
import type { InsightInput } from './insights.definitions';

type Rec = Record<string, unknown>;

const DAY_MS = 86_400_000;
/** Pages read at most per list (at the model's maximum page size: 5000 companies, 2000 others). */
export const MAX_PAGES = 20;

/** Bytes an insight's JSON result stays under: small enough for an agent's context. */
export const MAX_RESULT_BYTES = 8192;
/** Lists an oversized result is shortened at (their counts stay whole). */
const TRIMMABLE = new Set(['items', 'renewals', 'matches', 'invoices', 'largest', 'top_companies']);

function trimmableLists(value: unknown, out: unknown[][] = []): unknown[][] {
  if (value === null || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && TRIMMABLE.has(k)) out.push(v);
    if (v !== null && typeof v === 'object') trimmableLists(v, out);
  }
  return out;
}

/**
 * The result within MAX_RESULT_BYTES: while it is larger, the longest listed section loses its last
 * item (the counts and totals are untouched) and the result says `trimmed: true`.
 */
export function withinBudget<T extends object>(result: T, maxBytes = MAX_RESULT_BYTES): T & { trimmed?: true } {
  const size = () => Buffer.byteLength(JSON.stringify(result));
  if (size() <= maxBytes) return result;
  const lists = trimmableLists(result);
  const out = result as T & { trimmed?: true };
  out.trimmed = true;
  while (size() > maxBytes) {
    const longest = lists.reduce<unknown[] | undefined>((a, l) => (l.length > (a?.length ?? 0) ? l : a), undefined);
    if (!longest) break;
    longest.pop();
  }
  return out;
}

/** A capped list: the full count and at most `limit` items. */
export interface Section<T> {
  count: number;
  items: T[];
}

/**
 * Upstream calls of one insight, and its reads. Lists are read at the model's maximum page size,
 * one page after the other (never in parallel bursts), with only the fields the insight needs, so a
 * summary over a whole tenant costs a handful of Planhat requests (Planhat's soft limit is 200 a minute).
 */
class Reader {
  calls = 0;
  /** Set when a list stopped at MAX_PAGES before its end. */
  truncated = false;

  constructor(
    private readonly planhat: PlanhatService,
    private readonly account: string,
  ) {}

  async get(resource: string, id: string): Promise<Rec> {
    this.calls++;
    return (await this.planhat.get(this.account, resource, id)).data;
  }

  /** Every record of one company, filtered by the model's own company filter (`cId` on NPS and invoices, `companyId` elsewhere). */
  ofCompany(resource: string, companyId: string): Promise<Rec[]> {
    const model = this.planhat.model(resource, 'list');
    const key = model.filters.cId ? 'cId' : 'companyId';
    return this.all(resource, { [key]: companyId });
  }

  async all(resource: string, query: Record<string, string>): Promise<Rec[]> {
    const model = this.planhat.model(resource, 'list');
    const rows: Rec[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      this.calls++;
      const res = await this.planhat.listPage(this.account, resource, query, {
        limit: model.maxLimit,
        next_cursor: cursor,
      });
      rows.push(...res.data.result);
      if (!res.data.next_cursor) return rows;
      cursor = res.data.next_cursor;
    }
    this.truncated = true;
    return rows;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : '');
/** Milliseconds of a Planhat date-time field (ISO string), or undefined. */
const ms = (v: unknown): number | undefined => {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
};
/** Planhat's day-number dates (days since 1970-01-01, invoices and timesheets) as an ISO date. */
export const dayToIso = (day: unknown): string | null =>
  typeof day === 'number' && Number.isFinite(day)
    ? new Date(Math.floor(day) * DAY_MS).toISOString().slice(0, 10)
    : null;
const isoOf = (v: unknown): string | null => {
  const t = ms(v);
  return t === undefined ? null : new Date(t).toISOString();
};
const money = (n: number) => Math.round(n * 100) / 100;
/** A bare date as a period end means the end of that day. */
const endOf = (s: string) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T23:59:59.999Z`) : Date.parse(s));

function period(input: { from?: string; to?: string }, defaultDays: number, now: number): { from: number; to: number } {
  const to = input.to ? endOf(input.to) : now;
  const from = input.from ? Date.parse(input.from) : to - defaultDays * DAY_MS;
  if (from > to) throw GatewayError.invalid('from must not be after to', { field: 'from' });
  return { from, to };
}

/** A field of a record by name; `custom.X` reads a custom field. */
function fieldOf(rec: Rec, path: string): unknown {
  const [head, sub] = path.split('.', 2);
  const v = rec[head];
  if (sub === undefined) return v;
  return v !== null && typeof v === 'object' ? (v as Rec)[sub] : undefined;
}

const labelOf = (v: unknown): string =>
  v === undefined || v === null || v === '' ? '(none)' : Array.isArray(v) ? v.map(String).join(', ') : String(v);

function userName(u: Rec | undefined): string | null {
  if (!u) return null;
  const name = [str(u.firstName), str(u.lastName)].filter(Boolean).join(' ');
  return name || str(u.nickName) || str(u.email) || null;
}

function domainOf(q: string): string | undefined {
  const s = q
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '');
  const host = s.includes('@') ? s.slice(s.lastIndexOf('@') + 1) : s.split('/')[0];
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : undefined;
}

/** A company whose owner was deleted still has a 360 (owner without a name); other failures stand. */
const ownerGone = (e: unknown): undefined => {
  if (e instanceof GatewayError && e.code === ErrorCode.NOT_FOUND) return undefined;
  throw e;
};

const npsClass = (score: number) => (score >= 9 ? 'promoters' : score >= 7 ? 'passives' : 'detractors');

interface NpsTally {
  responses: number;
  score: number | null;
  promoters: number;
  passives: number;
  detractors: number;
}

function tally(scores: number[]): NpsTally {
  const t = { responses: scores.length, score: null as number | null, promoters: 0, passives: 0, detractors: 0 };
  for (const s of scores) t[npsClass(s)]++;
  if (scores.length) t.score = Math.round((100 * (t.promoters - t.detractors)) / scores.length);
  return t;
}

/**
 * The customer-success insights (see insights.definitions.ts): computed here from plain Planhat
 * reads through PlanhatService, for one integrated account. Every result is small (capped sections
 * with full counts) and reports `upstream_calls`.
 */
@Injectable()
export class InsightsService {
  constructor(private readonly planhat: PlanhatService) {}

  /** The clock, one place (tests read the period each result reports). */
  protected now(): number {
    return Date.now();
  }

  async resolve(account: string, input: InsightInput<'resolve'>) {
    const r = new Reader(this.planhat, account);
    const q = input.query.trim();
    const ql = q.toLowerCase();
    const domain = domainOf(q);
    type Match = {
      type: 'company' | 'enduser';
      _id: string;
      name: string;
      match: 'exact' | 'domain' | 'prefix';
      field: string;
      companyId?: string;
      email?: string;
    };
    const matches: Match[] = [];
    const idFields = ['_id', 'externalId', 'sourceId'] as const;

    if (input.types !== 'endusers') {
      for (const c of await r.all('companies', { select: '_id,name,domains,externalId,sourceId' })) {
        const base = { type: 'company' as const, _id: String(c._id), name: String(c.name ?? '') };
        const idHit = idFields.find((f) => str(c[f]) !== undefined && lower(c[f]) === ql);
        const domains = Array.isArray(c.domains) ? c.domains.map(lower) : [];
        if (idHit) matches.push({ ...base, match: 'exact', field: idHit });
        else if (lower(c.name) === ql) matches.push({ ...base, match: 'exact', field: 'name' });
        else if (domain && domains.some((d) => d === domain || d.endsWith(`.${domain}`) || domain.endsWith(`.${d}`)))
          matches.push({ ...base, match: 'domain', field: 'domains' });
        else if (ql.length >= 2 && lower(c.name).startsWith(ql))
          matches.push({ ...base, match: 'prefix', field: 'name' });
      }
    }
    if (input.types !== 'companies') {
      for (const e of await r.all('endusers', {
        select: '_id,name,firstName,lastName,email,companyId,externalId,sourceId',
      })) {
        const name = str(e.name) ?? [str(e.firstName), str(e.lastName)].filter(Boolean).join(' ');
        const base = {
          type: 'enduser' as const,
          _id: String(e._id),
          name,
          companyId: str(e.companyId),
          email: str(e.email),
        };
        const email = lower(e.email);
        const idHit = idFields.find((f) => str(e[f]) !== undefined && lower(e[f]) === ql);
        if (idHit) matches.push({ ...base, match: 'exact', field: idHit });
        else if (email && email === ql) matches.push({ ...base, match: 'exact', field: 'email' });
        else if (lower(name) === ql) matches.push({ ...base, match: 'exact', field: 'name' });
        else if (domain && !q.includes('@') && email.endsWith(`@${domain}`))
          matches.push({ ...base, match: 'domain', field: 'email' });
        else if (ql.length >= 2 && (lower(name).startsWith(ql) || lower(e.lastName).startsWith(ql)))
          matches.push({ ...base, match: 'prefix', field: 'name' });
      }
    }
    const rank = { exact: 0, domain: 1, prefix: 2 } as const;
    matches.sort(
      (a, b) =>
        rank[a.match] - rank[b.match] ||
        (a.type === b.type ? 0 : a.type === 'company' ? -1 : 1) ||
        a.name.localeCompare(b.name),
    );
    return withinBudget({
      query: q,
      count: matches.length,
      matches: matches.slice(0, input.limit),
      upstream_calls: r.calls,
      ...(r.truncated ? { truncated: true } : {}),
    });
  }

  async account_360(account: string, input: InsightInput<'account_360'>) {
    const r = new Reader(this.planhat, account);
    const now = this.now();
    const c = await r.get('companies', input.company);
    const companyId = String(c._id);
    const [owner, tickets, conversations, licenses, nps, tasks] = [
      str(c.owner) ? await r.get('users', String(c.owner)).catch(ownerGone) : undefined,
      await r.ofCompany('tickets', companyId),
      await r.ofCompany('conversations', companyId),
      await r.ofCompany('licenses', companyId),
      await r.ofCompany('nps', companyId),
      await r.ofCompany('tasks', companyId),
    ];
    const newest = (field: string) => (a: Rec, b: Rec) => (ms(b[field]) ?? 0) - (ms(a[field]) ?? 0);
    const section = <T>(
      rows: Rec[],
      keep: (x: Rec) => boolean,
      order: (a: Rec, b: Rec) => number,
      pick: (x: Rec) => T,
    ): Section<T> => {
      const kept = rows.filter(keep).sort(order);
      return { count: kept.length, items: kept.slice(0, input.limit).map(pick) };
    };
    const OPEN_TICKET = new Set(['new', 'open', 'pending', 'on-hold', 'on_hold', 'hold']);
    const npsRows = nps.filter((n) => typeof n.score === 'number');
    const latestNps = [...npsRows].sort(newest('dateAnswered'))[0];
    return withinBudget({
      company: {
        _id: companyId,
        name: c.name ?? null,
        externalId: c.externalId ?? null,
        sourceId: c.sourceId ?? null,
        phase: c.phase ?? null,
        status: c.status ?? null,
        health: c.h ?? null,
        mrr: c.mrr ?? null,
        arr: c.arr ?? null,
        renewal_date: isoOf(c.renewalDate),
        customer_from: isoOf(c.customerFrom),
        owner: str(c.owner) ? { _id: String(c.owner), name: userName(owner) } : null,
        domains: Array.isArray(c.domains) ? c.domains : [],
        last_active: isoOf(c.lastActive),
      },
      open_tickets: section(
        tickets,
        (t) => OPEN_TICKET.has(lower(t.status)),
        newest('createDate'),
        (t) => ({
          _id: t._id,
          title: t.title ?? null,
          status: t.status ?? null,
          severity: t.severity ?? null,
          created: isoOf(t.createDate),
        }),
      ),
      recent_conversations: section(
        conversations,
        (x) => x.archived !== true,
        newest('date'),
        (x) => ({ _id: x._id, type: x.type ?? null, subject: x.subject ?? null, date: isoOf(x.date) }),
      ),
      active_licenses: section(
        licenses,
        (l) => {
          const from = ms(l.fromDate);
          const to = ms(l.toDate);
          return (from === undefined || from <= now) && (to === undefined || to >= now);
        },
        (a, b) => (ms(a.toDate) ?? Infinity) - (ms(b.toDate) ?? Infinity),
        (l) => ({
          _id: l._id,
          product: l.product ?? null,
          mrr: l.mrr ?? null,
          arr: l.arr ?? null,
          from: isoOf(l.fromDate),
          to: isoOf(l.toDate),
          renewal_status: l.renewalStatus ?? null,
        }),
      ),
      nps: {
        latest: latestNps
          ? {
              _id: latestNps._id,
              score: latestNps.score,
              comment: latestNps.comment ?? null,
              answered: isoOf(latestNps.dateAnswered),
            }
          : null,
        ...section(
          npsRows,
          () => true,
          newest('dateAnswered'),
          (n) => ({ _id: n._id, score: n.score, answered: isoOf(n.dateAnswered) }),
        ),
      },
      open_tasks: section(
        tasks,
        (t) => lower(t.status) !== 'done' && t.isArchived !== true && !t.dateDone,
        (a, b) => (ms(a.startTime) ?? Infinity) - (ms(b.startTime) ?? Infinity),
        (t) => ({ _id: t._id, action: t.action ?? null, type: t.type ?? null, start: isoOf(t.startTime) }),
      ),
      upstream_calls: r.calls,
      ...(r.truncated ? { truncated: true } : {}),
    });
  }

  async upcoming_renewals(account: string, input: InsightInput<'upcoming_renewals'>) {
    const r = new Reader(this.planhat, account);
    const from = this.now();
    const to = from + input.days * DAY_MS;
    const companies = await r.all('companies', { select: '_id,name,owner,phase,h,mrr,arr,renewalDate,status' });
    const byId = new Map(companies.map((c) => [String(c._id), c]));
    type Row = { _id: string; name: string; company: Rec | undefined; date: number; mrr: number; arr: number };
    let rows: Row[];
    if (input.source === 'companies') {
      rows = companies.map((c) => ({
        _id: String(c._id),
        name: String(c.name ?? ''),
        company: c,
        date: ms(c.renewalDate) ?? NaN,
        mrr: num(c.mrr),
        arr: num(c.arr),
      }));
    } else {
      const licenses = await r.all('licenses', {
        select: '_id,companyId,companyName,product,mrr,arr,renewalDate,toDate',
      });
      rows = licenses.map((l) => ({
        _id: String(l._id),
        name: [str(l.companyName), str(l.product)].filter(Boolean).join(' — '),
        company: byId.get(String(l.companyId)),
        date: ms(l.renewalDate) ?? ms(l.toDate) ?? NaN,
        mrr: num(l.mrr),
        arr: num(l.arr),
      }));
    }
    rows = rows.filter((x) => x.date >= from && x.date <= to).sort((a, b) => a.date - b.date);
    const users =
      input.group_by === 'owner' ? await r.all('users', { select: '_id,firstName,lastName,nickName,email' }) : [];
    const userById = new Map(users.map((u) => [String(u._id), u]));
    const groups = new Map<
      string,
      { key: string | null; label: string; count: number; mrr: number; arr: number; renewals: unknown[] }
    >();
    for (const x of rows) {
      const raw = input.group_by === 'owner' ? str(x.company?.owner) : str(x.company?.phase);
      const key = raw ?? null;
      const label =
        input.group_by === 'owner'
          ? raw
            ? (userName(userById.get(raw)) ?? raw)
            : '(no owner)'
          : (raw ?? '(no phase)');
      const g = groups.get(key ?? '') ?? { key, label, count: 0, mrr: 0, arr: 0, renewals: [] };
      groups.set(key ?? '', g);
      g.count++;
      g.mrr += x.mrr;
      g.arr += x.arr;
      if (g.renewals.length < input.limit) {
        g.renewals.push({
          _id: x._id,
          name: x.name,
          renewal_date: new Date(x.date).toISOString(),
          mrr: x.mrr,
          arr: x.arr,
          health: x.company?.h ?? null,
        });
      }
    }
    const list = [...groups.values()]
      .map((g) => ({ ...g, mrr: money(g.mrr), arr: money(g.arr) }))
      .sort((a, b) => b.arr - a.arr || a.label.localeCompare(b.label));
    return withinBudget({
      source: input.source,
      group_by: input.group_by,
      window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      total: {
        count: rows.length,
        mrr: money(rows.reduce((s, x) => s + x.mrr, 0)),
        arr: money(rows.reduce((s, x) => s + x.arr, 0)),
      },
      groups: list,
      upstream_calls: r.calls,
      ...(r.truncated ? { truncated: true } : {}),
    });
  }

  async churn_summary(account: string, input: InsightInput<'churn_summary'>) {
    const r = new Reader(this.planhat, account);
    const { from, to } = period(input, 90, this.now());
    const rows = (
      await r.all('churn', { select: '_id,companyId,companyName,churnDate,reasons,value,arr,onlyDowngrade,currency' })
    ).filter((x) => {
      const t = ms(x.churnDate);
      return t !== undefined && t >= from && t <= to;
    });
    const reasons = new Map<string, { reason: string; count: number; value: number; arr: number }>();
    for (const x of rows) {
      const list = Array.isArray(x.reasons) && x.reasons.length ? [...new Set(x.reasons.map(String))] : ['(none)'];
      for (const reason of list) {
        const g = reasons.get(reason) ?? { reason, count: 0, value: 0, arr: 0 };
        reasons.set(reason, g);
        g.count++;
        g.value += num(x.value);
        g.arr += num(x.arr);
      }
    }
    const downgrades = rows.filter((x) => x.onlyDowngrade === true);
    const largest = [...rows].sort((a, b) => num(b.value) - num(a.value)).slice(0, input.limit);
    return withinBudget({
      period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      total: {
        count: rows.length,
        value: money(rows.reduce((s, x) => s + num(x.value), 0)),
        arr: money(rows.reduce((s, x) => s + num(x.arr), 0)),
      },
      downgrades: { count: downgrades.length, value: money(downgrades.reduce((s, x) => s + num(x.value), 0)) },
      by_reason: [...reasons.values()]
        .map((g) => ({ ...g, value: money(g.value), arr: money(g.arr) }))
        .sort((a, b) => b.value - a.value || a.reason.localeCompare(b.reason)),
      largest: largest.map((x) => ({
        _id: x._id,
        company_id: x.companyId ?? null,
        company_name: x.companyName ?? null,
        churn_date: isoOf(x.churnDate),
        value: x.value ?? null,
        reasons: x.reasons ?? [],
      })),
      upstream_calls: r.calls,
      ...(r.truncated ? { truncated: true } : {}),
    });
  }

  async nps_summary(account: string, input: InsightInput<'nps_summary'>) {
    const r = new Reader(this.planhat, account);
    const { from, to } = period(input, 365, this.now());
    const rows = (await r.all('nps', { select: '_id,cId,score,dateAnswered' })).filter((x) => {
      const t = ms(x.dateAnswered);
      return typeof x.score === 'number' && x.score >= 0 && x.score <= 10 && t !== undefined && t >= from && t <= to;
    });
    const scores = rows.map((x) => Math.round(x.score as number));
    const distribution: Record<string, number> = {};
    for (let s = 0; s <= 10; s++) distribution[s] = 0;
    for (const s of scores) distribution[s]++;
    let by_segment: Array<NpsTally & { segment: string }> | undefined;
    if (input.segment_field) {
      const field = input.segment_field;
      const companies = await r.all('companies', { select: `_id,${field.split('.')[0]}` });
      const seg = new Map(companies.map((c) => [String(c._id), labelOf(fieldOf(c, field))]));
      const groups = new Map<string, number[]>();
      for (const x of rows) {
        const key = seg.get(String(x.cId)) ?? '(unknown company)';
        groups.set(key, [...(groups.get(key) ?? []), Math.round(x.score as number)]);
      }
      by_segment = [...groups.entries()]
        .map(([segment, s]) => ({ segment, ...tally(s) }))
        .sort((a, b) => b.responses - a.responses || a.segment.localeCompare(b.segment));
    }
    return withinBudget({
      period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      ...tally(scores),
      distribution,
      ...(by_segment ? { segment_field: input.segment_field, by_segment } : {}),
      upstream_calls: r.calls,
      ...(r.truncated ? { truncated: true } : {}),
    });
  }

  async overdue_invoices(account: string, input: InsightInput<'overdue_invoices'>) {
    const r = new Reader(this.planhat, account);
    const today = Math.floor(this.now() / DAY_MS);
    const rows = (
      await r.all('invoices', {
        select: '_id,cId,cName,invoiceNo,extId,invoiceDate,dueDate,amountDue,amountTotal,currency,status',
      })
    )
      .filter((x) => typeof x.dueDate === 'number' && x.dueDate < today && num(x.amountDue) > 0)
      .sort((a, b) => (a.dueDate as number) - (b.dueDate as number));
    const byCurrency = new Map<string, { currency: string; count: number; amount_due: number }>();
    const byCompany = new Map<
      string,
      { company_id: string | null; company_name: string | null; count: number; amount_due: number; currency: string }
    >();
    for (const x of rows) {
      const currency = str(x.currency) ?? '(none)';
      const t = byCurrency.get(currency) ?? { currency, count: 0, amount_due: 0 };
      byCurrency.set(currency, t);
      t.count++;
      t.amount_due += num(x.amountDue);
      const ck = `${String(x.cId)}|${currency}`;
      const c = byCompany.get(ck) ?? {
        company_id: str(x.cId) ?? null,
        company_name: str(x.cName) ?? null,
        count: 0,
        amount_due: 0,
        currency,
      };
      byCompany.set(ck, c);
      c.count++;
      c.amount_due += num(x.amountDue);
    }
    return withinBudget({
      as_of: dayToIso(today),
      total: {
        count: rows.length,
        by_currency: [...byCurrency.values()].map((t) => ({ ...t, amount_due: money(t.amount_due) })),
      },
      top_companies: [...byCompany.values()]
        .map((c) => ({ ...c, amount_due: money(c.amount_due) }))
        .sort((a, b) => b.amount_due - a.amount_due)
        .slice(0, 5),
      invoices: rows.slice(0, input.limit).map((x) => ({
        _id: x._id,
        invoice_no: x.invoiceNo ?? null,
        ext_id: x.extId ?? null,
        company_id: x.cId ?? null,
        company_name: x.cName ?? null,
        invoice_date: dayToIso(x.invoiceDate),
        due_date: dayToIso(x.dueDate),
        days_overdue: today - (x.dueDate as number),
        amount_due: x.amountDue,
        currency: x.currency ?? null,
        status: x.status ?? null,
      })),
      upstream_calls: r.calls,
      ...(r.truncated ? { truncated: true } : {}),
    });
  }
}
