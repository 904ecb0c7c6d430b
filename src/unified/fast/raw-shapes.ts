import type { ByteWriter } from '../../common/byte-writer';
import type { RawShape } from '../mappers/kit';

/** One record's fields as Planhat wrote them, for a shape's writer; `i` indexes the rule's `reads`. */
export interface RawFields {
  /** Field i is a non-empty string (what `str` accepts). */
  isText(i: number): boolean;
  /** Writes field i's JSON text as Planhat wrote it. */
  copy(i: number, out: ByteWriter): void;
  /**
   * The spans `[start, end, start, end, ...]` of the elements of field i, each a JSON string, when
   * it is an array of strings; [] when it is absent or not an array; undefined when it is an array
   * that holds something else.
   */
  texts(i: number): number[] | undefined;
  /** Writes the record's text `[start, end)` (a span from `texts`). */
  copySpan(start: number, end: number, out: ByteWriter): void;
  /** `read` on the decoded fields, written as JSON; false, having written nothing, when it gives undefined. */
  read(out: ByteWriter): boolean;
}

/** Writes what the rule's `read` gives, from Planhat's text; false, having written nothing, when it gives undefined. */
export type RawFieldWriter = (r: RawFields, out: ByteWriter) => boolean;

const ID_OPEN = Buffer.from('{"id":');
const LIST_OPEN = Buffer.from('[{');
const EMPTY_LIST = Buffer.from('[]');
const TAG_NAME = Buffer.from(',"name":');
const COMMA = 0x2c;

/** `"key":` as JSON. */
const keyBytes = (key: string) => Buffer.from(`${JSON.stringify(key)}:`);

/** The writer of a shape (see RawShape in ../mappers/kit.ts), its constant bytes made once. */
export function rawFieldWriter(shape: RawShape): RawFieldWriter {
  switch (shape.kind) {
    case 'id':
      return (r, out) => {
        if (!r.isText(0)) return r.read(out);
        out.bytes(ID_OPEN);
        r.copy(0, out);
        out.byte(0x7d);
        return true;
      };
    case 'textRecords': {
      const keys = shape.keys.map(keyBytes);
      const tail = Buffer.from(
        `${Object.entries(shape.constants)
          .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
          .join('')}}]`,
      );
      return (r, out) => {
        let first = true;
        for (let i = 0; i < keys.length; i++) {
          if (!r.isText(i)) continue;
          if (first) out.bytes(LIST_OPEN);
          else out.byte(COMMA);
          first = false;
          out.bytes(keys[i]);
          r.copy(i, out);
        }
        out.bytes(first ? EMPTY_LIST : tail);
        return true;
      };
    }
    case 'textList': {
      const { sources } = shape;
      const head = Buffer.from(`{${JSON.stringify(shape.key)}:`);
      const tails = sources.map((s) => Buffer.from(`,"type":${JSON.stringify(s.type)}}`));
      return (r, out) => {
        // The arrays first: one that holds more than strings goes to `read` before anything is written.
        const elements = sources.map((s, i) => (s.each ? r.texts(i) : []));
        if (elements.includes(undefined)) return r.read(out);
        let first = true;
        const item = () => {
          out.byte(first ? 0x5b : COMMA);
          first = false;
          out.bytes(head);
        };
        for (let i = 0; i < sources.length; i++) {
          if (!sources[i].each) {
            if (!r.isText(i)) continue;
            item();
            r.copy(i, out);
            out.bytes(tails[i]);
            continue;
          }
          const spans = elements[i]!;
          for (let e = 0; e < spans.length; e += 2) {
            // `""` is the empty string.
            if (sources[i].nonEmpty && spans[e + 1] - spans[e] <= 2) continue;
            item();
            r.copySpan(spans[e], spans[e + 1], out);
            out.bytes(tails[i]);
          }
        }
        if (first) out.bytes(EMPTY_LIST);
        else out.byte(0x5d);
        return true;
      };
    }
    case 'tags':
      return (r, out) => {
        const spans = r.texts(0);
        if (spans === undefined) return r.read(out);
        if (spans.length === 0) return r.read(out);
        out.byte(0x5b);
        for (let e = 0; e < spans.length; e += 2) {
          if (e > 0) out.byte(COMMA);
          out.bytes(ID_OPEN);
          r.copySpan(spans[e], spans[e + 1], out);
          out.bytes(TAG_NAME);
          r.copySpan(spans[e], spans[e + 1], out);
          out.byte(0x7d);
        }
        out.byte(0x5d);
        return true;
      };
  }
}
