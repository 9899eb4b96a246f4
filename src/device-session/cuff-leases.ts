import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

/** A lease lasts this long unless renewed; the cuff's own heartbeat watchdog is as long. */
export const LEASE_MS = 5_000;
/** Renewed this often, so a slow statement or two does not lose it. */
export const RENEW_EVERY_MS = 1_000;

export interface HeldLease {
  deviceId: string;
  sessionId: string | null;
  epoch: number;
  token: string;
  expiresAtMs: number;
}

export interface ExpiredLease {
  deviceId: string;
  sessionId: string;
  holder: string | null;
  epoch: number;
  expiresAtMs: number;
}

/**
 * Which replica holds a cuff, in the database all replicas share (`device_leases`). A replica
 * holds a cuff while it prepares, measures with or supervises it, and renews the lease every
 * second; whoever claims a cuff raises its epoch, the fencing token every command to the cuff
 * carries. A claim succeeds only on a free or expired lease, and a replica knows a claim, renewal
 * or release is its own by the random token it wrote: two replicas never hold one cuff. The same
 * statements run on SQLite (one process) and PostgreSQL.
 */
export class CuffLeases {
  private readonly held = new Map<string, HeldLease>();
  private readonly sqlite: boolean;

  constructor(
    private readonly db: DataSource,
    readonly replicaId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.sqlite = db.options.type === 'sqlite';
  }

  /** The lease this replica holds on the cuff. */
  lease(deviceId: string): HeldLease | undefined {
    return this.held.get(deviceId);
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
    const now = this.now();
    const token = randomUUID();
    await this.run(
      'INSERT INTO device_leases (device_id, epoch, expires_at_ms) VALUES ($1, 0, 0) ON CONFLICT (device_id) DO NOTHING',
      [deviceId],
    );
    const guard = expected ? ' AND session_id = $7 AND epoch = $8' : '';
    await this.run(
      `UPDATE device_leases SET epoch = epoch + 1, token = $2, holder = $3, session_id = $4, expires_at_ms = $5 WHERE device_id = $1 AND expires_at_ms < $6${guard}`,
      [
        deviceId,
        token,
        this.replicaId,
        sessionId,
        now + LEASE_MS,
        now,
        ...(expected ? [expected.sessionId, expected.epoch] : []),
      ],
    );
    const row = await this.row(deviceId);
    if (!row || row.token !== token) {
      return null;
    }
    const lease: HeldLease = { deviceId, sessionId, epoch: Number(row.epoch), token, expiresAtMs: now + LEASE_MS };
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
      const now = this.now();
      try {
        await this.run('UPDATE device_leases SET expires_at_ms = $3 WHERE device_id = $1 AND token = $2', [
          lease.deviceId,
          lease.token,
          now + LEASE_MS,
        ]);
        const row = await this.row(lease.deviceId);
        if (row?.token === lease.token && Number(row.expires_at_ms) === now + LEASE_MS) {
          lease.expiresAtMs = now + LEASE_MS;
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
      expires_at_ms: string | number;
    }> = await this.db.query(
      this.sql(
        'SELECT device_id, session_id, holder, epoch, expires_at_ms FROM device_leases WHERE session_id IS NOT NULL AND expires_at_ms < $1',
      ),
      [this.now()],
    );
    return rows.map((r) => ({
      deviceId: r.device_id,
      sessionId: r.session_id,
      holder: r.holder,
      epoch: Number(r.epoch),
      expiresAtMs: Number(r.expires_at_ms),
    }));
  }

  /** The live lease of a session, whoever holds it. */
  async ofSession(sessionId: string): Promise<{ deviceId: string; holder: string | null; epoch: number } | null> {
    const rows: Array<{ device_id: string; holder: string | null; epoch: string | number }> = await this.db.query(
      this.sql('SELECT device_id, holder, epoch FROM device_leases WHERE session_id = $1 AND expires_at_ms >= $2'),
      [sessionId, this.now()],
    );
    const row = rows[0];
    return row ? { deviceId: row.device_id, holder: row.holder, epoch: Number(row.epoch) } : null;
  }

  private async row(
    deviceId: string,
  ): Promise<{ token: string | null; epoch: string | number; expires_at_ms: string | number } | undefined> {
    const rows: Array<{ token: string | null; epoch: string | number; expires_at_ms: string | number }> =
      await this.db.query(this.sql('SELECT token, epoch, expires_at_ms FROM device_leases WHERE device_id = $1'), [
        deviceId,
      ]);
    return rows[0];
  }

  private async run(statement: string, parameters: unknown[]): Promise<void> {
    await this.db.query(this.sql(statement), parameters);
  }

  /** Numbered parameters: `$1` on PostgreSQL, `?1` on SQLite. */
  private sql(statement: string): string {
    return this.sqlite ? statement.replace(/\$(\d+)/g, '?$1') : statement;
  }
}

/** A name for this process among the replicas: the host and process id, with a random tail for restarts. */
export function replicaName(host: string, pid: number): string {
  return `${host}-${pid}-${randomUUID().slice(0, 8)}`;
}
