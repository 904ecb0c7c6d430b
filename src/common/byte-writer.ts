/** A piece of JSON text: a string, or its UTF-8 bytes (e.g. a run of Planhat's own text). */
export type JsonPiece = string | Buffer;

/**
 * A growable byte buffer for writing a response body piece by piece: bytes copied from other
 * buffers (Planhat's own text), constant pieces, and short strings, without one Buffer or string
 * per piece. `result()` is a view of exactly what was written.
 */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(capacity = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }

  get length(): number {
    return this.pos;
  }

  /** `src[start..end)`. */
  bytes(src: Buffer, start = 0, end = src.length): void {
    const n = end - start;
    this.room(n);
    const buf = this.buf;
    if (n < 32) {
      let at = this.pos;
      for (let i = start; i < end; i++) buf[at++] = src[i];
    } else {
      src.copy(buf, this.pos, start, end);
    }
    this.pos += n;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** A piece of JSON text as it is. */
  piece(p: JsonPiece): void {
    if (typeof p === 'string') this.text(p);
    else this.bytes(p);
  }

  /** A string, as UTF-8. */
  text(s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /**
   * `v` as JSON, as JSON.stringify(v) writes it, for a value that JSON.stringify does not turn into
   * undefined. Plain objects, arrays, strings, numbers, booleans and null are written here (a small
   * value costs less than JSON.stringify's set-up); anything else (a Date, a toJSON) goes to JSON.stringify.
   */
  json(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.jsonString(v);
        return;
      case 'number':
        this.ascii(Number.isFinite(v) ? String(v) : 'null');
        return;
      case 'boolean':
        this.ascii(v ? 'true' : 'false');
        return;
      case 'object':
        if (v === null) {
          this.ascii('null');
          return;
        }
        if (Array.isArray(v)) {
          this.byte(0x5b);
          for (let i = 0; i < v.length; i++) {
            if (i > 0) this.byte(0x2c);
            const e: unknown = v[i];
            if (e === undefined || typeof e === 'function' || typeof e === 'symbol') this.ascii('null');
            else this.json(e);
          }
          this.byte(0x5d);
          return;
        }
        if (Object.getPrototypeOf(v) === Object.prototype && !('toJSON' in v)) {
          this.byte(0x7b);
          let first = true;
          for (const key of Object.keys(v)) {
            const e: unknown = (v as Record<string, unknown>)[key];
            if (e === undefined || typeof e === 'function' || typeof e === 'symbol') continue;
            if (!first) this.byte(0x2c);
            first = false;
            this.jsonString(key);
            this.byte(0x3a);
            this.json(e);
          }
          this.byte(0x7d);
          return;
        }
    }
    this.text(JSON.stringify(v));
  }

  /** A string known to be ASCII. */
  private ascii(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.pos = at;
  }

  /** A JSON string: printable ASCII without quotes or backslashes is copied, anything else JSON.stringify escapes. */
  private jsonString(s: string): void {
    const n = s.length;
    if (n > 256) {
      this.text(JSON.stringify(s));
      return;
    }
    this.room(n + 2);
    const buf = this.buf;
    let at = this.pos;
    buf[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.text(JSON.stringify(s));
        return;
      }
      buf[at++] = c;
    }
    buf[at++] = 0x22;
    this.pos = at;
  }

  /** Drops what was written after the first `length` bytes. */
  rewind(length: number): void {
    this.pos = Math.min(this.pos, Math.max(0, length));
  }

  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
