import { randomUUID } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { ErrorCode, GatewayError } from '../common/errors';
import { MetricsService } from '../metrics/metrics.service';
import { findModel, supports } from '../planhat/catalog';
import { PlanhatService } from '../planhat/planhat.service';
import { McpChangeEntity } from './change.entity';

/** How long a recorded change can be undone. */
export const UNDO_WINDOW_MS = 24 * 3600_000;

export type ChangeOp = 'create' | 'update' | 'delete';
type Rec = Record<string, unknown>;

/** Who wrote: the MCP server and its integrated account. */
export interface ChangeScope {
  accountId: string;
  serverId: string;
}

/** Fields Planhat maintains itself: never restored, never compared as written data. */
const SYSTEM_FIELDS = new Set(['_id', 'id', '__v', 'createdAt', 'updatedAt', 'updateDate']);
/** Planhat's own last-change stamps: when the after-image has one, it must still match for an undo. */
const STAMPS = ['updatedAt', 'updateDate'];

/**
 * A refused undo because the record changed since the recorded write: the error plus both versions
 * (the fields as the write left them, and as they are now).
 */
export class UndoConflict extends GatewayError {
  constructor(
    message: string,
    readonly versions: { recorded: Rec | null; current: Rec | null; changed_fields: string[] },
  ) {
    super(ErrorCode.CONFLICT, message, {
      hint: 'The record was changed after this write, so undo_change will not overwrite it. Compare the two versions and make the change you want with the update tool.',
    });
  }
}

/**
 * The change log of writes made through MCP, and undo_change. Each native or unified
 * create/update/delete tool call that Planhat applied is recorded with the Planhat record before
 * (update, delete) and after (create, update) the write; its id goes back to the agent as `change_id`.
 *
 * undo_change(change_id), within 24 h, only on the MCP server that made the change:
 * - update: when the record still holds what the write left (updatedAt and every field the write
 *   changed), the changed fields get their before-values back (a field that was absent gets null);
 * - create: when the record is unchanged since, it is deleted;
 * - delete: the record is created again from its before-image. Planhat gives it a new `_id`, sets
 *   createdAt/updatedAt (companies: createDate) anew, and records that pointed to the old `_id` are
 *   not re-linked.
 * A record changed since is a 409 showing both versions; a change undone already is a 409; an older
 * change is a 403; another server's (or an unknown) change is a 404.
 */
@Injectable()
export class ChangeLog {
  private readonly log = new Logger('McpChanges');

  constructor(
    @InjectRepository(McpChangeEntity) private readonly repo: Repository<McpChangeEntity>,
    private readonly planhat: PlanhatService,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /**
   * Records one applied write; returns its id, or undefined when the database refused it (logged and
   * counted: the write itself stands, it just cannot be undone).
   */
  async record(
    scope: ChangeScope,
    tool: string,
    model: string,
    op: ChangeOp,
    recordId: string,
    before: Rec | null,
    after: Rec | null,
  ): Promise<string | undefined> {
    const id = randomUUID();
    try {
      await this.repo.insert({
        id,
        created_at: this.clock.now().toISOString(),
        mcp_server_id: scope.serverId,
        integrated_account_id: scope.accountId,
        tool: tool.slice(0, 200),
        model,
        op,
        record_id: recordId.slice(0, 200),
        before: before === null ? null : JSON.stringify(before),
        after: after === null ? null : JSON.stringify(after),
        undone_at: null,
      });
      return id;
    } catch (err) {
      this.metrics?.recordAuditFailure('mcp_change');
      this.log.warn(`recording an MCP change failed: ${String(err)}`);
      return undefined;
    }
  }

  /** The current Planhat record, or null when Planhat says it does not exist. */
  async current(accountId: string, model: string, id: string): Promise<Rec | null> {
    try {
      return (await this.planhat.get(accountId, model, id)).data;
    } catch (err) {
      if (err instanceof GatewayError && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    }
  }

  async undo(scope: ChangeScope, changeId: string): Promise<Rec> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(changeId)) {
      throw GatewayError.invalid('change_id must be the change_id a write tool returned (a UUID)', {
        field: 'change_id',
      });
    }
    const row = await this.repo.findOne({
      where: { id: changeId.toLowerCase(), mcp_server_id: scope.serverId, integrated_account_id: scope.accountId },
    });
    if (!row) {
      throw GatewayError.notFound(
        `No change ${changeId} was recorded by this MCP server`,
        'undo_change takes the change_id of a write made through this same MCP server.',
      );
    }
    const now = this.clock.now();
    if (now.getTime() - new Date(row.created_at).getTime() > UNDO_WINDOW_MS) {
      throw new GatewayError(
        ErrorCode.FORBIDDEN,
        `Change ${row.id} was made at ${row.created_at}, more than 24 h ago: it can no longer be undone`,
        {
          hint: 'Make the inverse change yourself with the update, create or delete tool.',
        },
      );
    }
    if (row.undone_at !== null) throw alreadyUndone(row);
    // Claim the change before writing, so two undos of one change cannot both write.
    const claimed = await this.repo.update({ id: row.id, undone_at: IsNull() }, { undone_at: now.toISOString() });
    if (!claimed.affected) throw alreadyUndone(row);
    try {
      return await this.perform(scope.accountId, row);
    } catch (err) {
      await this.repo.update({ id: row.id }, { undone_at: null }).catch(() => undefined);
      throw err;
    }
  }

  private async perform(accountId: string, row: McpChangeEntity): Promise<Rec> {
    const before = parse(row.before);
    const after = parse(row.after);
    const base = { undone: row.id, tool: row.tool, op: row.op, model: row.model };
    if (row.op === 'delete') {
      const existing = await this.current(accountId, row.model, row.record_id);
      if (existing)
        throw new UndoConflict(`The deleted ${row.model} record ${row.record_id} exists again`, {
          recorded: null,
          current: existing,
          changed_fields: [],
        });
      const body = Object.fromEntries(Object.entries(before ?? {}).filter(([k]) => !SYSTEM_FIELDS.has(k)));
      const created = await this.createRecord(accountId, row.model, body);
      return {
        ...base,
        previous_id: row.record_id,
        restored_id: created._id ?? null,
        restored_fields: Object.keys(body),
        not_restored: [
          '_id: Planhat assigns a new one (restored_id)',
          'createdAt, updatedAt (and createDate where Planhat sets it on create): set anew by Planhat',
          'records that referenced the old _id (e.g. endusers, licenses, tickets of a company) are not re-linked',
        ],
        record: created,
      };
    }
    const current = await this.current(accountId, row.model, row.record_id);
    const fields =
      row.op === 'update'
        ? changedFields(before ?? {}, after ?? {})
        : Object.keys(after ?? {}).filter((k) => !SYSTEM_FIELDS.has(k));
    const compared = [...STAMPS.filter((f) => after !== null && f in after), ...fields];
    const differing =
      current === null ? compared : compared.filter((f) => !sameJson(valueAt(after ?? {}, f), valueAt(current, f)));
    if (differing.length > 0) {
      const what = current === null ? 'no longer exists' : `was changed since (${differing.join(', ')})`;
      throw new UndoConflict(`The ${row.model} record ${row.record_id} ${what}`, {
        recorded: pick(after ?? {}, compared),
        current: current === null ? null : pick(current, compared),
        changed_fields: differing,
      });
    }
    if (row.op === 'create') {
      const model = findModel(row.model);
      if (!model || !supports(model, 'delete'))
        throw new GatewayError(
          ErrorCode.METHOD_NOT_ALLOWED,
          `Planhat cannot delete ${row.model} records: the create cannot be undone`,
        );
      await this.planhat.delete(accountId, row.model, row.record_id);
      return { ...base, deleted_id: row.record_id };
    }
    const body: Rec = {};
    for (const f of fields) {
      const value = valueAt(before ?? {}, f) ?? null;
      if (f.startsWith('custom.')) ((body.custom ??= {}) as Rec)[f.slice('custom.'.length)] = value;
      else body[f] = value;
    }
    if (fields.length === 0)
      return { ...base, _id: row.record_id, restored: [], note: 'The write changed no field: nothing to restore.' };
    const record = await this.updateRecord(accountId, row.model, row.record_id, body, current ?? {});
    return {
      ...base,
      _id: row.record_id,
      restored: fields.map((field) => ({ field, value: valueAt(before ?? {}, field) ?? null })),
      record,
    };
  }

  private async createRecord(accountId: string, key: string, body: Rec): Promise<Rec> {
    const model = findModel(key);
    if (model && supports(model, 'create')) return (await this.planhat.create(accountId, key, body)).data;
    throw new GatewayError(
      ErrorCode.METHOD_NOT_ALLOWED,
      `Planhat cannot create ${key} records one by one: the delete cannot be undone here`,
      {
        hint: `Re-create it with the bulk upsert tool of ${key} from the before-image.`,
      },
    );
  }

  private async updateRecord(accountId: string, key: string, id: string, body: Rec, current: Rec): Promise<Rec> {
    const model = findModel(key);
    if (model && supports(model, 'update')) return (await this.planhat.update(accountId, key, id, body)).data;
    // Models Planhat writes with a bulk upsert only (tickets): the record matched on its _id, with the
    // keys Planhat's upsert wants too (it matches tickets on sourceId and drops items without an email).
    const keys = Object.fromEntries(
      ['sourceId', 'externalId', 'email']
        .filter((k) => current[k] !== undefined && current[k] !== null)
        .map((k) => [k, current[k]]),
    );
    const summary = (await this.planhat.bulkUpsert(accountId, key, [{ _id: id, ...keys, ...body }])).data;
    if (summary.updated !== 1) {
      throw new GatewayError(ErrorCode.UPSTREAM_ERROR, `Planhat did not apply the undo of ${key} ${id}`, {
        remote: { status: 200, body: summary },
      });
    }
    return (await this.planhat.get(accountId, key, id)).data;
  }

  /** Deletes changes past the undo window (the expiry sweep calls it). */
  async prune(now: Date = this.clock.now()): Promise<number> {
    const result = await this.repo.delete({
      created_at: LessThan(new Date(now.getTime() - UNDO_WINDOW_MS).toISOString()),
    });
    return result.affected ?? 0;
  }
}

function alreadyUndone(row: McpChangeEntity): GatewayError {
  return new GatewayError(ErrorCode.CONFLICT, `Change ${row.id} was undone already`, {
    hint: 'Read the record to see its current state.',
  });
}

function parse(text: string | null): Rec | null {
  if (text === null) return null;
  const v = JSON.parse(text) as unknown;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : null;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** A field path: `name`, or `custom.<name>` one level into custom. */
function valueAt(rec: Rec, field: string): unknown {
  if (field.startsWith('custom.')) {
    const custom = rec.custom;
    return custom !== null && typeof custom === 'object' ? (custom as Rec)[field.slice('custom.'.length)] : undefined;
  }
  return rec[field];
}

function pick(rec: Rec, fields: readonly string[]): Rec {
  return Object.fromEntries(fields.map((f) => [f, valueAt(rec, f) ?? null]));
}

/**
 * The fields the write changed: those of the after-image (`custom.<name>` one level down) whose value
 * differs from the before-image's, system fields aside. Only fields the after-image holds count, so
 * an answer that leaves fields out never marks them as changed.
 */
export function changedFields(before: Rec, after: Rec): string[] {
  const out: string[] = [];
  const isObj = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
  for (const key of Object.keys(after)) {
    if (SYSTEM_FIELDS.has(key)) continue;
    const b = before[key];
    const a = after[key];
    if (key === 'custom' && isObj(a)) {
      const bc = isObj(b) ? b : {};
      for (const name of Object.keys(a)) if (!sameJson(bc[name], a[name])) out.push(`custom.${name}`);
    } else if (!sameJson(b, a)) {
      out.push(key);
    }
  }
  return out;
}
