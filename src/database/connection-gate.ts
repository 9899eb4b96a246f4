import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';

import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

interface Holder {
  /** False once the holder's transaction or statement is over; work it started later queues again. */
  active: boolean;
  /** Set for a unit of a group commit: what it leaves for the end of its group, if it succeeds. */
  deferred?: GroupEndSlot[];
}

/** An item a unit of work leaves for the end of its group, and what the group end made of it. */
export interface GroupEndSlot {
  item: unknown;
  result?: unknown;
}

/**
 * Runs once per group, inside its transaction and before its COMMIT, on the items the group's
 * successful units left, in their order; returns one result per item. If it throws, the group fails.
 */
export type GroupEnd = (items: unknown[]) => Promise<unknown[]>;

/** What TypeORM's SQLite query runner keeps of its transaction (`transactionDepth` is protected). */
interface TransactionState {
  isTransactionActive: boolean;
  transactionDepth: number;
}

interface QueuedUnit {
  /** Runs the unit's transaction, as a savepoint of the group's, in the async context that queued it. */
  run: (holder: Holder) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Units of work committed together at most: bounds how long the first of a group waits for its
 * answer behind the others, while one COMMIT (one sync to disk) serves them all.
 */
export const MAX_UNITS_PER_COMMIT = 32;

/** The group's transaction can no longer be trusted after this error: SQLite may have rolled it back. */
function endsTheGroup(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') && code !== 'SQLITE_CONSTRAINT';
}

/**
 * The one SQLite connection admits one unit of work at a time. SQLite has no second connection
 * to isolate concurrent transactions: a statement sent while another request's BEGIN is open
 * becomes part of that transaction (and is undone by its ROLLBACK), and a second BEGIN fails.
 * The gate queues every transaction, and every statement outside one, first come first served;
 * the holder's own statements (and nested transactions, as savepoints) pass straight through,
 * recognised by the async context they run in.
 *
 * Units of work that wait share a commit: they run one after another in one transaction, each in
 * its own savepoint (a unit that fails rolls back to it, undoing only its own work), and each is
 * answered only once the shared COMMIT succeeded; if it fails, every unit of the group fails.
 * What the successful units left for the group's end (their audit records) is written last, in
 * the same transaction, in one go: two statements a group rather than two a unit.
 */
export class ConnectionGate {
  private readonly holder = new AsyncLocalStorage<Holder>();
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;
  private units: QueuedUnit[] = [];
  private groupScheduled = false;
  private groupEnd?: GroupEnd;

  constructor(private readonly runner?: QueryRunner) {}

  /** Units of work and statements waiting for the connection, for load shedding. */
  get queued(): number {
    return this.waiting + this.units.length;
  }

  holds(): boolean {
    return this.holder.getStore()?.active === true;
  }

  /** What every group does last, before its COMMIT (the audit trail appends its units' records there). */
  onGroupEnd(groupEnd: GroupEnd): void {
    this.groupEnd = groupEnd;
  }

  /**
   * Called from the unit of work of a group commit itself (not from a transaction nested in it):
   * leaves `item` for the group's end, which handles it only if the unit succeeds. The slot holds
   * the result once the unit's promise resolved, that is once the group committed. Undefined
   * anywhere else: the caller then does the work in place.
   */
  leaveForGroupEnd(item: unknown): GroupEndSlot | undefined {
    const holder = this.holder.getStore();
    if (!this.groupEnd || holder?.active !== true || holder.deferred === undefined) {
      return undefined;
    }
    const slot: GroupEndSlot = { item };
    holder.deferred.push(slot);
    return slot;
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.holds()) {
      return work();
    }
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    this.waiting += 1;
    await previous;
    this.waiting -= 1;
    const holder: Holder = { active: true };
    try {
      return await this.holder.run(holder, work);
    } finally {
      holder.active = false;
      release();
    }
  }

  /** Runs `transaction` as a unit of work of the next group commit (directly, nested in the holder's). */
  async grouped<T>(transaction: () => Promise<T>): Promise<T> {
    if (this.holds() || !this.runner) {
      return this.exclusive(transaction);
    }
    return new Promise<T>((resolve, reject) => {
      const run = AsyncResource.bind((holder: Holder) => this.holder.run(holder, transaction));
      this.units.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleGroup();
    });
  }

  /**
   * Runs one statement as a unit of work of the next group commit, without the savepoint (two
   * more round trips through the event loop) that a unit of several statements needs: a statement
   * that fails on a constraint is undone by SQLite itself, and any other SQLite error fails the
   * whole group. `statement` must make that statement its only write and its last step, so that
   * the unit cannot fail after writing.
   */
  groupedStatement<T>(statement: () => Promise<T>): Promise<T> {
    return this.grouped(statement);
  }

  private scheduleGroup(): void {
    if (this.groupScheduled) {
      return;
    }
    this.groupScheduled = true;
    // Scheduled from the end of the previous group, this still runs in that group's async context:
    // left there, the next group would count as its holder's nested work and run unqueued, and its
    // BEGIN and COMMIT would wait at the gate like any statement, so that a statement from outside
    // could run, and be rolled back, inside its transaction.
    void this.holder.exit(() => this.exclusive(() => this.commitGroup()));
  }

  private async commitGroup(): Promise<void> {
    const runner = this.runner!;
    const state = runner as unknown as TransactionState;
    const done: { unit: QueuedUnit; ok: boolean; value: unknown }[] = [];
    let groupError: unknown;
    try {
      await runner.startTransaction();
    } catch (error) {
      // No transaction to run in: the group's units fail, and the next group tries again.
      groupError = error;
      for (const unit of this.units.splice(0, MAX_UNITS_PER_COMMIT)) {
        done.push({ unit, ok: false, value: error });
      }
    }
    const leftForEnd: GroupEndSlot[] = [];
    while (groupError === undefined && this.units.length > 0 && done.length < MAX_UNITS_PER_COMMIT) {
      const unit = this.units.shift()!;
      const holder: Holder = { active: true, deferred: [] };
      try {
        done.push({ unit, ok: true, value: await unit.run(holder) });
        leftForEnd.push(...holder.deferred!);
      } catch (error) {
        done.push({ unit, ok: false, value: error });
        if (endsTheGroup(error)) {
          groupError = error;
        }
      } finally {
        holder.active = false;
      }
      // A unit's rollback to its savepoint failed (TypeORM swallows that): its work may remain.
      if (groupError === undefined && (state.transactionDepth !== 1 || !state.isTransactionActive)) {
        groupError = new Error('A unit of work did not return the group transaction to its savepoint.');
      }
    }
    if (groupError === undefined && leftForEnd.length > 0) {
      groupError = await this.endGroup(leftForEnd, state);
    }
    if (groupError === undefined) {
      try {
        await runner.commitTransaction();
      } catch (error) {
        groupError = error;
      }
    }
    if (groupError !== undefined) {
      await this.abandon(runner, state);
    }
    for (const { unit, ok, value } of done) {
      if (ok && groupError === undefined) {
        unit.resolve(value);
      } else {
        unit.reject(ok ? groupError : value);
      }
    }
    this.groupScheduled = false;
    if (this.units.length > 0) {
      this.scheduleGroup();
    }
  }

  /** Runs the group end on what the successful units left; returns the error that fails the group, if any. */
  private async endGroup(slots: GroupEndSlot[], state: TransactionState): Promise<unknown> {
    const holder: Holder = { active: true };
    try {
      const results = await this.holder.run(holder, () => this.groupEnd!(slots.map((slot) => slot.item)));
      if (results.length !== slots.length) {
        return new Error('The group end did not answer every item of its group.');
      }
      slots.forEach((slot, i) => (slot.result = results[i]));
    } catch (error) {
      return error;
    } finally {
      holder.active = false;
    }
    if (state.transactionDepth !== 1 || !state.isTransactionActive) {
      return new Error('The group end did not leave the group transaction as it found it.');
    }
    return undefined;
  }

  /** Undoes the whole group; SQLite may have done so already, which is the same outcome. */
  private async abandon(runner: QueryRunner, state: TransactionState): Promise<void> {
    try {
      await runner.query('ROLLBACK');
    } catch {
      // No transaction was open any more: nothing of the group was committed.
    }
    state.isTransactionActive = false;
    state.transactionDepth = 0;
  }
}

/**
 * Puts a SQLite data source behind a gate: its transactions (committed in groups) and every
 * statement of its single query runner. PostgreSQL gives each transaction its own pooled
 * connection and needs none.
 */
export function gateSqliteConnection(dataSource: DataSource): ConnectionGate {
  const runner: QueryRunner = dataSource.createQueryRunner();
  const gate = new ConnectionGate(runner);
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((...args: unknown[]) => gate.exclusive(() => query(...args))) as QueryRunner['query'];
  const manager: EntityManager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = ((...args: unknown[]) =>
    gate.grouped(() => transaction(...args))) as EntityManager['transaction'];
  return gate;
}
