import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates the missing folders of `dir` readable by the owner only (0700), whatever the umask.
 * Folders that already exist are left as the operator made them.
 */
export function ownerOnlyDirectory(dir: string): void {
  if (existsSync(dir)) {
    return;
  }
  ownerOnlyDirectory(dirname(dir));
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Creates the SQLite file (and its folders) owner-only before SQLite opens it: SQLite gives its
 * -wal and -shm files the permissions of the database file. An existing file is left as it is.
 */
export function ownerOnlySqliteFile(file: string): void {
  if (file === ':memory:') {
    return;
  }
  ownerOnlyDirectory(dirname(file));
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return;
    }
    throw error;
  }
  chmodSync(file, 0o600);
}
