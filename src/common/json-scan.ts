/**
 * A JSON validator over UTF-8 bytes that allocates nothing: it checks that a response body is one
 * JSON array (RFC 8259 grammar: strings with valid escapes and no raw control characters, numbers,
 * literals, nesting) and counts its top-level elements. The proxy uses it to pass Planhat's list
 * bytes through without JSON.parse, which costs about twice as much and builds every record.
 *
 * It must never accept what JSON.parse rejects; a body it rejects is handed to JSON.parse, which
 * then decides (so an unusual but valid body, e.g. nested deeper than MAX_DEPTH, still works).
 *
 * It can also note each element's top-level keys and values (ElementFields), from which the
 * unified API writes records without building them.
 *
 * A table-driven state machine in TypeScript; json-scan.spec.ts checks it against JSON.parse.
 */

const STRING_STOP = new Uint8Array(256); // bytes that end a run of plain string characters
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[0x22] = 1; // "
STRING_STOP[0x5c] = 1; // \
const WHITESPACE = new Uint8Array(256);
WHITESPACE[0x20] = WHITESPACE[0x0a] = WHITESPACE[0x0d] = WHITESPACE[0x09] = 1;
const DIGIT = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) DIGIT[c] = 1;
const HEX = new Uint8Array(256);
for (const ch of '0123456789abcdefABCDEF') HEX[ch.charCodeAt(0)] = 1;
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const ch of '"\\/bfnrt') SIMPLE_ESCAPE[ch.charCodeAt(0)] = 1;

const MAX_DEPTH = 256;

const enum Expect {
  ValueOrClose, // after '['
  Value, // after ',' in an array, after ':'
  CommaOrClose, // after a value
  KeyOrClose, // after '{'
  Key, // after ',' in an object
  Colon,
}

/** Escapes skipString has passed, ever: a key whose skip moved it holds an escape. */
let escapesSeen = 0;

/** Index after the closing quote of the string whose content starts at `i`, or -1 when invalid. */
function skipString(b: Uint8Array, i: number, n: number): number {
  for (;;) {
    while (i < n && STRING_STOP[b[i]] === 0) i++;
    if (i >= n) return -1;
    const c = b[i];
    if (c === 0x22) return i + 1;
    if (c !== 0x5c) return -1; // a raw control character
    escapesSeen++;
    const e = b[i + 1];
    if (e === 0x75) {
      if ((HEX[b[i + 2]] & HEX[b[i + 3]] & HEX[b[i + 4]] & HEX[b[i + 5]]) === 0) return -1;
      i += 6;
    } else if (SIMPLE_ESCAPE[e] === 1) {
      i += 2;
    } else {
      return -1;
    }
  }
}

/** Index after the number starting at `i`, or -1 when invalid. */
function skipNumber(b: Uint8Array, i: number, n: number): number {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (DIGIT[b[i]] === 1) while (DIGIT[b[i]] === 1) i++;
  else return -1;
  if (b[i] === 0x2e) {
    i++;
    if (DIGIT[b[i]] !== 1) return -1;
    while (DIGIT[b[i]] === 1) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (DIGIT[b[i]] !== 1) return -1;
    while (DIGIT[b[i]] === 1) i++;
  }
  return i <= n ? i : -1;
}

function literalAt(b: Uint8Array, i: number, word: readonly number[]): boolean {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/**
 * Where `countJsonArray` notes the top-level fields of each element that is an object: four
 * numbers a field in `spans[0..length)` (the start and end of the key's bytes, between the quotes,
 * and the start and end of the value's text), in a typed array that grows by doubling (off V8's
 * heap: a page of records has thousands of fields, which as a JS array were a large garbage object).
 */
export class ElementFields {
  spans: Int32Array;
  length = 0;
  /** `spans` index of element k's first field; element k's fields run to starts[k + 1] (or `length`). */
  readonly starts: number[] = [];
  /** Some element's key holds an escape (its bytes are then not its name). */
  escapedKeys = false;

  constructor(capacity = 1024) {
    this.spans = new Int32Array(Math.max(16, capacity));
  }

  push(v: number): void {
    if (this.length === this.spans.length) this.grow();
    this.spans[this.length++] = v;
  }

  /** Doubles the capacity. */
  private grow(): void {
    const next = new Int32Array(this.spans.length * 2);
    next.set(this.spans.subarray(0, this.length));
    this.spans = next;
  }

  /** The `spans` index after element k's fields (they start at `starts[k]`). */
  end(k: number): number {
    return k + 1 < this.starts.length ? this.starts[k + 1] : this.length;
  }
}

/**
 * A JSON array of records as countJsonArray delimited it: element k is
 * `bytes[bounds[2k]..bounds[2k+1])`, and `fields` (when asked for) has its keys and values.
 */
export interface ScannedArray {
  bytes: Buffer;
  bounds: number[];
  fields?: ElementFields;
}

/**
 * The number of elements of the JSON array in `b`, or -1 when `b` is not exactly one valid JSON
 * array (surrounding whitespace allowed). Does not check UTF-8 (use `isUtf8` for that). With
 * `bounds`, element k's bytes are `b[bounds[2k]] .. b[bounds[2k+1] - 1]`; with `fields`, the keys
 * and values of each element that is an object, found in the same pass (entries are pushed as it
 * goes, so after a -1 they mean nothing).
 */
export function countJsonArray(b: Uint8Array, bounds?: number[], fields?: ElementFields): number {
  const n = b.length;
  let i = 0;
  while (i < n && WHITESPACE[b[i]] === 1) i++;
  if (i >= n || b[i] !== 0x5b) return -1;
  i++;
  // Open containers below the current one: 1 = object, 0 = array (index 0 is the top-level array).
  const inObject = new Uint8Array(MAX_DEPTH + 1);
  let depth = 0;
  let count = 0;
  let expect = Expect.ValueOrClose;
  for (;;) {
    while (i < n && WHITESPACE[b[i]] === 1) i++;
    if (i >= n) return -1;
    const c = b[i];
    switch (expect) {
      case Expect.CommaOrClose:
        if (c === 0x2c) {
          i++;
          expect = inObject[depth] === 1 ? Expect.Key : Expect.Value;
          continue;
        }
        if (c !== (inObject[depth] === 1 ? 0x7d : 0x5d)) return -1;
        i++;
        if (depth === 0) break;
        if (--depth === 0) bounds?.push(i);
        else if (depth === 1 && fields !== undefined && inObject[1] === 1) fields.push(i);
        continue;
      case Expect.Colon:
        if (c !== 0x3a) return -1;
        i++;
        expect = Expect.Value;
        continue;
      case Expect.KeyOrClose:
      case Expect.Key:
        if (c === 0x7d && expect === Expect.KeyOrClose) {
          // An empty object: closed as after a value.
          expect = Expect.CommaOrClose;
          continue;
        }
        if (c !== 0x22) return -1;
        {
          const keyStart = i + 1;
          const escapes = escapesSeen;
          i = skipString(b, keyStart, n);
          if (i < 0) return -1;
          if (depth === 1 && fields !== undefined) {
            fields.push(keyStart);
            fields.push(i - 1);
            if (escapesSeen !== escapes) fields.escapedKeys = true;
          }
        }
        expect = Expect.Colon;
        continue;
      case Expect.ValueOrClose:
      case Expect.Value:
        if (c === 0x5d && expect === Expect.ValueOrClose) {
          // An empty array: closed as after a value.
          expect = Expect.CommaOrClose;
          continue;
        }
        if (depth === 0) {
          count++;
          bounds?.push(i);
          fields?.starts.push(fields.length);
        } else if (depth === 1 && fields !== undefined && inObject[1] === 1) fields.push(i);
        expect = Expect.CommaOrClose;
        if (c === 0x22) i = skipString(b, i + 1, n);
        else if (c === 0x7b || c === 0x5b) {
          if (depth === MAX_DEPTH) return -1;
          inObject[++depth] = c === 0x7b ? 1 : 0;
          i++;
          expect = c === 0x7b ? Expect.KeyOrClose : Expect.ValueOrClose;
        } else if (c === 0x74) i = literalAt(b, i, TRUE) ? i + 4 : -1;
        else if (c === 0x66) i = literalAt(b, i, FALSE) ? i + 5 : -1;
        else if (c === 0x6e) i = literalAt(b, i, NULL) ? i + 4 : -1;
        else i = skipNumber(b, i, n);
        if (i < 0) return -1;
        if (depth === 0) bounds?.push(i);
        else if (depth === 1 && fields !== undefined && inObject[1] === 1 && expect === Expect.CommaOrClose)
          fields.push(i);
        continue;
    }
    // The top-level array closed: only whitespace may follow.
    while (i < n && WHITESPACE[b[i]] === 1) i++;
    return i === n ? count : -1;
  }
}
