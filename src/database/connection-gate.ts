import { AsyncLocalStorage } from 'node:async_hooks';

import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

interface Holder {
  /** False once the holder's transaction or statement is over; work it started later queues again. */
  active: boolean;
}

/**
 * The one SQLite connection admits one unit of work at a time. SQLite has no second connection
 * to isolate concurrent transactions: a statement sent while another request's BEGIN is open
 * becomes part of that transaction (and is undone by its ROLLBACK), and a second BEGIN fails.
 * The gate queues every transaction, and every statement outside one, first come first served;
 * the holder's own statements (and nested transactions, as savepoints) pass straight through,
 * recognised by the async context they run in.
 */
export class ConnectionGate {
  private readonly holder = new AsyncLocalStorage<Holder>();
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** Units of work waiting for the connection, for load shedding. */
  get queued(): number {
    return this.waiting;
  }

  holds(): boolean {
    return this.holder.getStore()?.active === true;
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
}

/**
 * Puts a SQLite data source behind a gate: its transactions and every statement of its single
 * query runner. PostgreSQL gives each transaction its own pooled connection and needs none.
 */
export function gateSqliteConnection(dataSource: DataSource): ConnectionGate {
  const gate = new ConnectionGate();
  const runner: QueryRunner = dataSource.createQueryRunner();
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((...args: unknown[]) => gate.exclusive(() => query(...args))) as QueryRunner['query'];
  const manager: EntityManager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = ((...args: unknown[]) => gate.exclusive(() => transaction(...args))) as EntityManager['transaction'];
  return gate;
}
