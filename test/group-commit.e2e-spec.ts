import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DataSource, EntityManager } from 'typeorm';

import { MAX_UNITS_PER_COMMIT } from '../src/database/connection-gate';
import { connectionGateOf, dataSourceOptions, openDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';

/**
 * Units of work that wait for SQLite's one connection share a commit, each in its own savepoint:
 * on a real database file, what one unit does wrong stays its own, and a failed COMMIT fails all.
 */
describe('group commits on SQLite', () => {
  let dir: string;
  let dataSource: DataSource;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bfr-rx-group-commit-'));
    dataSource = await openDataSource(
      dataSourceOptions({ kind: 'sqlite', file: join(dir, 'bfr-rx.sqlite') }, ENTITIES),
    );
    await dataSource.query('CREATE TABLE probe_parent (id TEXT PRIMARY KEY)');
    // Checked at COMMIT, not at the statement: a violation makes the shared COMMIT itself fail.
    await dataSource.query(
      'CREATE TABLE probe_child (id TEXT PRIMARY KEY, parent TEXT REFERENCES probe_parent (id) DEFERRABLE INITIALLY DEFERRED)',
    );
  });

  afterEach(async () => {
    await dataSource?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async () =>
    ((await dataSource.query('SELECT id FROM probe_parent ORDER BY id')) as Array<{ id: string }>).map((row) => row.id);

  /** Starts the units at once (they queue at the gate) and notes when each one's work ran and when it was answered. */
  const runTogether = (units: Array<(manager: EntityManager) => Promise<void>>, events: string[]) =>
    Promise.allSettled(
      units.map((unit, i) =>
        dataSource
          .transaction(async (manager) => {
            await unit(manager);
            events.push(`work ${i}`);
          })
          .finally(() => events.push(`answer ${i}`)),
      ),
    );

  const insert = (id: string) => async (manager: EntityManager) => {
    await manager.query('INSERT INTO probe_parent (id) VALUES (?)', [id]);
  };

  it('rolls a failing unit back to its savepoint and commits the others of its group', async () => {
    const events: string[] = [];
    const results = await runTogether(
      [
        insert('a'),
        insert('b'),
        async (manager) => {
          await manager.query('INSERT INTO probe_parent (id) VALUES (?)', ['c']);
          throw new Error('the plan is refused');
        },
        async (manager) => {
          await manager.query('INSERT INTO probe_parent (id) VALUES (?)', ['d']);
          // A constraint violation from the database itself.
          await manager.query('INSERT INTO probe_parent (id) VALUES (?)', ['a']);
        },
        insert('e'),
      ],
      events,
    );

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error('the plan is refused'));
    expect(String((results[3] as PromiseRejectedResult).reason)).toMatch(/SQLITE_CONSTRAINT/);
    expect(await stored()).toEqual(['a', 'b', 'e']);
    // One commit for all: no unit was answered before the last one's work had run.
    const firstAnswer = events.findIndex((e) => e.startsWith('answer'));
    expect(events.slice(0, firstAnswer).filter((e) => e.startsWith('work'))).toEqual(['work 0', 'work 1', 'work 4']);
  });

  it('runs a unit of one statement without a savepoint: a constraint failure undoes that statement only', async () => {
    const gate = connectionGateOf(dataSource)!;
    const statement = (id: string) =>
      gate.groupedStatement(() => dataSource.query('INSERT INTO probe_parent (id) VALUES (?)', [id]));
    const results = await Promise.allSettled([
      statement('a'),
      dataSource.transaction(insert('b')),
      statement('a'),
      statement('c'),
    ]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/SQLITE_CONSTRAINT/);
    expect(await stored()).toEqual(['a', 'b', 'c']);
  });

  it("writes what the successful units left for the group's end, in their order, before the COMMIT", async () => {
    const gate = connectionGateOf(dataSource)!;
    const ends: string[][] = [];
    gate.onGroupEnd(async (items) => {
      ends.push(items as string[]);
      for (const item of items as string[]) {
        await dataSource.query('INSERT INTO probe_parent (id) VALUES (?)', [`end-${item}`]);
      }
      return items.map((item) => `done ${item as string}`);
    });
    const slots: unknown[] = [];
    const leave =
      (id: string, fail = false) =>
      async (manager: EntityManager) => {
        await manager.query('INSERT INTO probe_parent (id) VALUES (?)', [id]);
        slots.push(gate.leaveForGroupEnd(id));
        if (fail) {
          throw new Error('the plan is refused');
        }
      };
    const results = await runTogether([leave('a'), leave('b', true), leave('c')], []);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(ends).toEqual([['a', 'c']]);
    expect(await stored()).toEqual(['a', 'c', 'end-a', 'end-c']);
    expect(slots).toEqual([{ item: 'a', result: 'done a' }, { item: 'b' }, { item: 'c', result: 'done c' }]);
    // Outside a unit of a group there is no group end: the caller does its work in place.
    expect(gate.leaveForGroupEnd('outside')).toBeUndefined();
  });

  it('fails every unit of the group when its group end fails, and stores none of them', async () => {
    const gate = connectionGateOf(dataSource)!;
    gate.onGroupEnd(async () => {
      throw new Error('the audit record cannot be written');
    });
    const results = await runTogether(
      [
        insert('a'),
        async (manager) => {
          await insert('b')(manager);
          gate.leaveForGroupEnd('b');
        },
      ],
      [],
    );

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await stored()).toEqual([]);
  });

  it('keeps a statement from outside the units out of the transaction of a group that follows a full one', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let proceed!: () => void;
    const outsiderSent = new Promise<void>((resolve) => (proceed = resolve));
    const full = Array.from({ length: MAX_UNITS_PER_COMMIT }, (_, i) => insert(`unit-${String(i).padStart(2, '0')}`));
    // The unit after a full group makes the next group, and makes its COMMIT fail.
    const next = async (manager: EntityManager) => {
      started();
      await outsiderSent;
      await manager.query('INSERT INTO probe_child (id, parent) VALUES (?, ?)', ['orphan', 'nobody']);
    };
    const units = runTogether([...full, next], []);
    await running;
    const outsider = dataSource.query('INSERT INTO probe_parent (id) VALUES (?)', ['outsider']);
    proceed();
    const results = await units;
    await outsider;

    expect(results.at(-1)?.status).toBe('rejected');
    expect(await stored()).toContain('outsider');
    expect(await stored()).toHaveLength(MAX_UNITS_PER_COMMIT + 1);
  });

  it('fails every unit of the group when the shared COMMIT fails, and stores none of them', async () => {
    const results = await runTogether(
      [
        insert('a'),
        async (manager) => {
          await manager.query('INSERT INTO probe_child (id, parent) VALUES (?, ?)', ['orphan', 'nobody']);
        },
        insert('b'),
      ],
      [],
    );

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(await stored()).toEqual([]);
    expect(await dataSource.query('SELECT id FROM probe_child')).toEqual([]);

    // The connection is usable afterwards: the next unit commits on its own.
    await dataSource.transaction(insert('c'));
    expect(await stored()).toEqual(['c']);
  });
});
