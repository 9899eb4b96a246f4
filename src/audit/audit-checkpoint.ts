import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

/** A point the chain is known to have reached: record `seq` with hash `hash`. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Records between checkpoints while the service runs; one more is written at shutdown. */
export const CHECKPOINT_EVERY = 100;

function parsed(text: string): ChainHead | undefined {
  const value = JSON.parse(text) as Partial<ChainHead>;
  return Number.isInteger(value.seq) && typeof value.hash === 'string' && /^[0-9a-f]{64}$/.test(value.hash)
    ? { seq: value.seq!, hash: value.hash }
    : undefined;
}

/**
 * The chain head kept outside the rows it protects, in a file (next to the SQLite database by
 * default): deleting the last records of the trail leaves the rows consistent among themselves,
 * but no longer reaching the head written here. A head is written only after the records up to
 * it were committed, and never goes backwards.
 */
export class AuditCheckpoint {
  private written: ChainHead | undefined;
  private latest: ChainHead | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly every = CHECKPOINT_EVERY,
    private readonly log: { written(head: ChainHead): void; failed(error: unknown): void } = {
      written: () => undefined,
      failed: () => undefined,
    },
  ) {
    this.written = this.read();
  }

  /** The head last written, if any; a file that cannot be read is an error, not an absent anchor. */
  read(): ChainHead | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
    const head = parsed(text);
    if (!head) {
      throw new Error(`the audit checkpoint ${this.file} is not a checkpoint`);
    }
    return head;
  }

  /** A committed head; written when `every` records have been committed since the last one. */
  advance(head: ChainHead): void {
    if (this.latest && this.latest.seq >= head.seq) {
      return;
    }
    this.latest = head;
    if (head.seq - (this.written?.seq ?? 0) >= this.every) {
      void this.flush();
    }
  }

  /** Writes the latest committed head (atomically, synced) unless the file already has it or a later one. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => {
      const head = this.latest;
      if (!head || (this.written && this.written.seq >= head.seq)) {
        return;
      }
      const temporary = `${this.file}.tmp`;
      const fd = openSync(temporary, 'w');
      try {
        writeSync(fd, `${JSON.stringify(head)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.file);
      this.written = head;
      this.log.written(head);
    });
    // A checkpoint that could not be written is said in the log; the next one tries again.
    this.writing = this.writing.catch((error: unknown) => this.log.failed(error));
    return this.writing;
  }
}
