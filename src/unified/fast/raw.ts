import type { ByteWriter } from '../../common/byte-writer';
import type { ScannedArray } from '../../common/json-scan';
import { idOf, type FieldRule, type Native, type UnifiedMapper } from '../mappers/kit';
import { rawFieldWriter, type RawFields } from './raw-shapes';

/**
 * Writes the unified JSON of one Planhat record from the record's own JSON text, without parsing
 * it: one-to-one fields are copied as Planhat wrote their values, `read` fields with a `raw` shape
 * write theirs from the text of the Planhat fields they declare (`reads`), the others get a record
 * of just those fields, decoded, and `remote_data` is the record's text itself.
 * The JSON means the same as JSON.stringify(toUnified(JSON.parse(text))) (raw.spec.ts checks
 * it for every mapper); number and string spellings are Planhat's.
 *
 * Returns false, having written nothing, when the record is not an object or a key on its page
 * holds an escape (scanned without fields, likewise): the caller then maps the parsed record.
 */
export type RawRecordWriter = (
  page: ScannedArray,
  index: number,
  out: ByteWriter,
  includeRemoteData: boolean,
) => boolean;

/** One record of a scanned page. */
export interface RawRecord {
  page: ScannedArray;
  index: number;
}

const writers = new WeakMap<UnifiedMapper, RawRecordWriter | null>();

/** The mapper's writer (built once), or undefined when some `read` field does not declare what it reads. */
export function rawRecordWriterOf(mapper: UnifiedMapper): RawRecordWriter | undefined {
  let w = writers.get(mapper);
  if (w === undefined) writers.set(mapper, (w = rawRecordWriter(mapper.fields) ?? null));
  return w ?? undefined;
}

function rawRecordWriter(fields: readonly FieldRule[]): RawRecordWriter | undefined {
  if (fields.some((f) => f.read && !f.reads)) return undefined;
  // Slots: the Planhat fields looked up in a record. One-to-one fields are copied from theirs;
  // `read` fields see theirs through a RecordView (as Planhat's text, or decoded).
  const keys: string[] = [];
  const slot = (key: string) => {
    const at = keys.indexOf(key);
    return at >= 0 ? at : keys.push(key) - 1;
  };
  const prefixes = fields.map((f) => Buffer.from(`,${JSON.stringify(f.unified)}:`));
  const copyFrom = Int32Array.from(fields, (f) => (f.read ? -1 : slot(f.native)));
  const readSlots = fields.map((f) => (f.read ? Int32Array.from(f.reads!, slot) : undefined));
  const shapeWriters = fields.map((f) => (f.read && f.raw ? rawFieldWriter(f.raw) : undefined));
  const idSlot = slot('_id');
  const altIdSlot = slot('id');
  const idSlots = Int32Array.of(idSlot, altIdSlot);

  // Open-addressing table from a key's hash to its slot (+1; 0 is empty).
  const size = 1 << Math.ceil(Math.log2(keys.length * 4 + 1));
  const mask = size - 1;
  const table = new Int32Array(size);
  const keyBytes = keys.map((k) => Buffer.from(k, 'utf8'));
  const hashes = Int32Array.from(keyBytes, (k) => keyHash(k, 0, k.length));
  keys.forEach((_, i) => {
    let at = hashes[i] & mask;
    while (table[at] !== 0) at = (at + 1) & mask;
    table[at] = i + 1;
  });
  const spans = new Int32Array(keys.length * 2);
  const view = new RecordView(spans);
  const rules = fields;

  return (page, index, out, includeRemoteData) => {
    const fields = page.fields;
    // An escaped key's bytes are not its name: such a page is mapped from parsed records.
    if (fields === undefined || fields.escapedKeys) return false;
    const record = page.bytes;
    const spansOf = fields.spans;
    const from = fields.starts[index];
    const to = fields.end(index);
    if (record[page.bounds[2 * index]] !== 0x7b) return false;
    spans.fill(-1);
    for (let f = from; f < to; f += 4) {
      const ks = spansOf[f];
      const len = spansOf[f + 1] - ks;
      const h = keyHash(record, ks, len);
      for (let at = h & mask; table[at] !== 0; at = (at + 1) & mask) {
        const k = table[at] - 1;
        if (hashes[k] !== h) continue;
        const kb = keyBytes[k];
        if (kb.length !== len) continue;
        let same = true;
        for (let i = 0; i < len; i++) {
          if (kb[i] !== record[ks + i]) {
            same = false;
            break;
          }
        }
        if (!same) continue;
        // A repeated key: the last one wins, as in JSON.parse.
        spans[2 * k] = spansOf[f + 2];
        spans[2 * k + 1] = spansOf[f + 3];
        break;
      }
    }
    view.record = record;

    out.bytes(ID);
    // idOf: String(_id ?? id ?? ''); a string is copied as Planhat wrote it.
    const idAt =
      spans[2 * idSlot] >= 0 && !isNull(record, spans[2 * idSlot], spans[2 * idSlot + 1]) ? idSlot : altIdSlot;
    if (spans[2 * idAt] >= 0 && record[spans[2 * idAt]] === 0x22)
      out.bytes(record, spans[2 * idAt], spans[2 * idAt + 1]);
    else out.json(idOf(view.decode(ID_KEYS, idSlots)));
    for (let i = 0; i < prefixes.length; i++) {
      const k = copyFrom[i];
      if (k >= 0) {
        const start = spans[2 * k];
        if (start < 0) continue;
        out.bytes(prefixes[i]);
        out.bytes(record, start, spans[2 * k + 1]);
        continue;
      }
      const rule = rules[i];
      view.use(rule, readSlots[i]!);
      const mark = out.length;
      out.bytes(prefixes[i]);
      const shaped = shapeWriters[i];
      if (!(shaped ? shaped(view, out) : view.read(out))) out.rewind(mark);
    }
    if (includeRemoteData) {
      out.bytes(REMOTE_DATA);
      out.bytes(record, page.bounds[2 * index], page.bounds[2 * index + 1]);
    }
    out.byte(0x7d);
    // The view outlives the call: it must not keep this page's bytes alive until the next one.
    view.record = NO_BYTES;
    return true;
  };
}

/**
 * The fields of the record being written, as one `read` rule sees them (RawFields): `slots[i]` is
 * the slot of the rule's i-th Planhat field, `spans[2 * slot]` its value's span (-1: absent).
 */
class RecordView implements RawFields {
  record: Buffer = NO_BYTES;
  private rule: FieldRule | undefined;
  private slots: Int32Array = new Int32Array(0);

  constructor(private readonly spans: Int32Array) {}

  use(rule: FieldRule, slots: Int32Array): void {
    this.rule = rule;
    this.slots = slots;
  }

  isText(i: number): boolean {
    const at = this.spans[2 * this.slots[i]];
    // `""` is the empty string.
    return at >= 0 && this.record[at] === 0x22 && this.spans[2 * this.slots[i] + 1] - at > 2;
  }

  copy(i: number, out: ByteWriter): void {
    const k = this.slots[i];
    out.bytes(this.record, this.spans[2 * k], this.spans[2 * k + 1]);
  }

  copySpan(start: number, end: number, out: ByteWriter): void {
    out.bytes(this.record, start, end);
  }

  texts(i: number): number[] | undefined {
    const k = this.slots[i];
    const start = this.spans[2 * k];
    if (start < 0 || this.record[start] !== 0x5b) return [];
    return stringElements(this.record, start, this.spans[2 * k + 1]);
  }

  read(out: ByteWriter): boolean {
    const v = this.rule!.read!(this.decode(this.rule!.reads!, this.slots));
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return false;
    out.json(v);
    return true;
  }

  /** A record of the present fields among `keys` (in `slots`), decoded. */
  decode(keys: readonly string[], slots: Int32Array): Native {
    const native: Native = {};
    for (let d = 0; d < keys.length; d++) {
      const k = slots[d];
      if (this.spans[2 * k] >= 0) native[keys[d]] = decodeValue(this.record, this.spans[2 * k], this.spans[2 * k + 1]);
    }
    return native;
  }
}

/**
 * The spans of the elements of the validated JSON array `b[start..end)` when each is a string;
 * undefined when one is not.
 */
function stringElements(b: Buffer, start: number, end: number): number[] | undefined {
  const out: number[] = [];
  let i = start + 1;
  for (;;) {
    while (i < end && isSpace(b[i])) i++;
    const c = b[i];
    if (c === 0x5d) return out;
    if (c === 0x2c) {
      i++;
      continue;
    }
    if (c !== 0x22) return undefined;
    const from = i++;
    while (b[i] !== 0x22) i += b[i] === 0x5c ? 2 : 1;
    out.push(from, ++i);
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isNull = (b: Buffer, start: number, end: number) => end - start === 4 && b[start] === 0x6e;

/** A cheap hash of a key's bytes (its length and three of them); equal hashes are then compared byte by byte. */
function keyHash(b: Uint8Array, start: number, len: number): number {
  if (len === 0) return 0;
  return Math.imul(len, 0x9e3779b1) ^ (b[start] << 16) ^ (b[start + len - 1] << 8) ^ b[start + (len >> 1)];
}

const ID = Buffer.from('{"id":');
const NO_BYTES = Buffer.alloc(0);
const ID_KEYS = ['_id', 'id'];
const REMOTE_DATA = Buffer.from(',"remote_data":');

/** The value of validated JSON text `b[start..end)`: plain strings decoded directly, the rest by JSON.parse. */
function decodeValue(b: Buffer, start: number, end: number): unknown {
  const c = b[start];
  if (c === 0x22) {
    let plain = true;
    for (let i = start + 1; i < end - 1; i++) {
      if (b[i] === 0x5c) {
        plain = false;
        break;
      }
    }
    if (plain) return b.toString('utf8', start + 1, end - 1);
  } else if (c === 0x74 && end - start === 4) return true;
  else if (c === 0x66 && end - start === 5) return false;
  else if (c === 0x6e && end - start === 4) return null;
  return JSON.parse(b.toString('utf8', start, end));
}
