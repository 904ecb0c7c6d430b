import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Files only the gateway's own user may read: the data dir (0700), its key files and the SQLite
 * database (0600). Created with these modes whatever the umask, and tightened when an earlier version
 * or a hand-made setup left them readable by others. Windows has no such modes: nothing to do there.
 */
const POSIX = process.platform !== 'win32';

/** Creates a directory (and missing parents) as 0700, or tightens an existing one to 0700. */
export function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700);
}

/** Sets a file's mode to 0600 unless it already is (the owner keeps read and write). */
export function privateFile(file: string): void {
  tighten(file, 0o600);
}

/**
 * Prepares a SQLite database path before SQLite opens it: a missing parent dir is created 0700, a
 * missing file is created empty as 0600 (SQLite gives its -wal and -shm files the database file's
 * mode), and an existing database, WAL, shared-memory or journal file is tightened to 0600.
 */
export function privateSqliteFile(file: string): void {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return;
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) privateDir(dir);
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) if (fs.existsSync(f)) privateFile(f);
}

function tighten(p: string, mode: number): void {
  if (POSIX && (fs.statSync(p).mode & 0o777) !== mode) fs.chmodSync(p, mode);
}
