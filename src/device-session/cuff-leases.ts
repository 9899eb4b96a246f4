import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import type { JournalFence } from './session-journal';

/** A lease lasts this long unless renewed; the cuff's own heartbeat watchdog is as long. */
export const LEASE_MS = 5_000;
/** Renewed this often, so a slow statement or two does not lose it. */
export const RENEW_EVERY_MS = 1_000;

export interface HeldLease {
  deviceId: string;
  sessionId: string | null;
  epoch: number;
  token: string;
  /**
   * Until when this replica may believe it holds the cuff when the database does not answer, on
   * its own clock: the lease's length from the moment the last claim or renewal was sent, so it
   * runs out no later than the lease in the database, whatever the two clocks read.
   */
  expiresAtMs: number;
}

export interface ExpiredLease {
  deviceId: string;
  sessionId: string;
  holder: string | null;
  epoch: number;
  /** How long ago the lease ran out, on the database's clock. */
  lapsedMs: number;
}

/**
 * The database's clock in milliseconds since the epoch, read inside each statement: replicas whose
 * clocks disagree still agree on whether a lease has run out. SQLite has no clock of its own and
 * serves one process, whose clock it is; there the statements take it as a literal.
 */
const POSTGRES_NOW_MS = '(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint';

/**
 * Which replica holds a cuff, in the database all replicas share (`device_leases`). A replica
 * holds a cuff while it prepares, measures with or supervises it, and renews the lease every
 * second; whoever claims a cuff raises its epoch, the fencing token every command to the cuff
 * and every write to the session's record carries. A claim succeeds only on a free or expired
 * lease, judged on the database's clock, and a replica knows a claim, renewal or release is its
 * own by the random token it wrote: two replicas never hold one cuff. The same statements run on
 * SQLite (one process) and PostgreSQL.
 */
export class CuffLeases {
  private readonly held = new Map<string, HeldLease>();
  private readonly sqlite: boolean;

  constructor(
    private readonly db: DataSource,
    readonly replicaId: string,
    private readonly now: () => number = Date.now,
    private readonly leaseMs: number = LEASE_MS,
  ) {
    this.sqlite = db.options.type === 'sqlite';
  }

  /** The lease this replica holds on the cuff. */
  lease(deviceId: string): HeldLease | undefined {
    return this.held.get(deviceId);
  }

  /** What the session's journal writes are fenced with while this replica holds the cuff. */
  fenceOf(deviceId: string): JournalFence | null {
    const lease = this.held.get(deviceId);
    return lease ? { deviceId, epoch: lease.epoch, holder: this.replicaId } : null;
  }

  heldLeases(): HeldLease[] {
    return [...this.held.values()];
  }

  /**
   * Claims a free or expired cuff for this replica under the next epoch; null when another
   * replica holds it. `expected` claims it only if it still belongs to that session (a takeover).
   */
  async claim(
    deviceId: string,
    sessionId: string | null,
    expected?: { sessionId: string; epoch: number },
  ): Promise<HeldLease | null> {
    const sentAt = this.now();
    const token = randomUUID();
    await this.run(
      'INSERT INTO device_leases (device_id, epoch, expires_at_ms) VALUES ($1, 0, 0) ON CONFLICT (device_id) DO NOTHING',
      [deviceId],
    );
    const guard = expected ? ' AND session_id = $6 AND epoch = $7' : '';
    await this.run(
      `UPDATE device_leases SET epoch = epoch + 1, token = $2, holder = $3, session_id = $4, expires_at_ms = NOW_MS + $5 WHERE device_id = $1 AND expires_at_ms < NOW_MS${guard}`,
      [
        deviceId,
        token,
        this.replicaId,
        sessionId,
        this.leaseMs,
        ...(expected ? [expected.sessionId, expected.epoch] : []),
      ],
    );
    const row = await this.row(deviceId);
    if (!row || row.token !== token) {
      return null;
    }
    const lease: HeldLease = {
      deviceId,
      sessionId,
      epoch: Number(row.epoch),
      token,
      expiresAtMs: sentAt + this.leaseMs,
    };
    this.held.set(deviceId, lease);
    return lease;
  }

  /**
   * Renews every lease this replica holds; returns those it lost: claimed by another replica, or
   * past their expiry while the database did not answer. A lease still carrying this replica's
   * token was claimed by no one, even if it ran past its expiry, and is renewed.
   */
  async renew(): Promise<HeldLease[]> {
    const lost: HeldLease[] = [];
    for (const lease of [...this.held.values()]) {
      const sentAt = this.now();
      try {
        await this.run('UPDATE device_leases SET expires_at_ms = NOW_MS + $3 WHERE device_id = $1 AND token = $2', [
          lease.deviceId,
          lease.token,
          this.leaseMs,
        ]);
        const row = await this.row(lease.deviceId);
        if (row?.token === lease.token) {
          lease.expiresAtMs = sentAt + this.leaseMs;
          continue;
        }
      } catch {
        if (this.now() < lease.expiresAtMs) {
          continue;
        }
      }
      this.held.delete(lease.deviceId);
      lost.push(lease);
    }
    return lost;
  }

  /** Gives the cuff back; the epoch stays, so the next holder's is higher. */
  async release(deviceId: string): Promise<void> {
    const lease = this.held.get(deviceId);
    if (!lease) {
      return;
    }
    this.held.delete(deviceId);
    await this.run(
      'UPDATE device_leases SET token = NULL, holder = NULL, session_id = NULL, expires_at_ms = 0 WHERE device_id = $1 AND token = $2',
      [deviceId, lease.token],
    );
  }

  /** Forgets the leases without writing: they expire on their own (the database is out of reach, or the process is stopping hard). */
  drop(deviceId: string): void {
    this.held.delete(deviceId);
  }

  /** Sessions whose supervising replica stopped renewing. */
  async expired(): Promise<ExpiredLease[]> {
    const rows: Array<{
      device_id: string;
      session_id: string;
      holder: string | null;
      epoch: string | number;
      lapsed_ms: string | number;
    }> = await this.db.query(
      this.sql(
        'SELECT device_id, session_id, holder, epoch, NOW_MS - expires_at_ms AS lapsed_ms FROM device_leases WHERE session_id IS NOT NULL AND expires_at_ms < NOW_MS',
      ),
    );
    return rows.map((r) => ({
      deviceId: r.device_id,
      sessionId: r.session_id,
      holder: r.holder,
      epoch: Number(r.epoch),
      lapsedMs: Number(r.lapsed_ms),
    }));
  }

  /** The live lease of a session, whoever holds it. */
  async ofSession(sessionId: string): Promise<{ deviceId: string; holder: string | null; epoch: number } | null> {
    const rows: Array<{ device_id: string; holder: string | null; epoch: string | number }> = await this.db.query(
      this.sql('SELECT device_id, holder, epoch FROM device_leases WHERE session_id = $1 AND expires_at_ms >= NOW_MS'),
      [sessionId],
    );
    const row = rows[0];
    return row ? { deviceId: row.device_id, holder: row.holder, epoch: Number(row.epoch) } : null;
  }

  private async row(deviceId: string): Promise<{ token: string | null; epoch: string | number } | undefined> {
    const rows: Array<{ token: string | null; epoch: string | number }> = await this.db.query(
      this.sql('SELECT token, epoch FROM device_leases WHERE device_id = $1'),
      [deviceId],
    );
    return rows[0];
  }

  private async run(statement: string, parameters: unknown[]): Promise<void> {
    await this.db.query(this.sql(statement), parameters);
  }

  /** `NOW_MS` as the database's clock; numbered parameters, `$1` on PostgreSQL and `?1` on SQLite. */
  private sql(statement: string): string {
    if (!this.sqlite) {
      return statement.replaceAll('NOW_MS', POSTGRES_NOW_MS);
    }
    return statement.replaceAll('NOW_MS', String(Math.floor(this.now()))).replace(/\$(\d+)/g, '?$1');
  }
}

/** A name for this process among the replicas: the host and process id, with a random tail for restarts. */
export function replicaName(host: string, pid: number): string {
  return `${host}-${pid}-${randomUUID().slice(0, 8)}`;
}
