import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import { CuffLeases } from '../src/device-session/cuff-leases';
import { DeviceSessionEventRecord } from '../src/device-session/device-session-event.entity';
import { DeviceSessionRecord } from '../src/device-session/device-session.entity';
import { SessionJournal } from '../src/device-session/session-journal';

/** How a database under test gives two replicas their leases, and how time passes for them. */
export interface LeaseRig {
  /** The databases of replica A and replica B (the same one on SQLite). */
  databases(): [DataSource, DataSource];
  /** The clock each replica's CuffLeases reads. */
  now: () => number;
  /** Lets `ms` pass for the leases: a fake clock moved on, or a real wait. */
  advance(ms: number): Promise<void>;
  leaseMs: number;
}

function sessionRecord(deviceId: string): DeviceSessionRecord {
  return Object.assign(new DeviceSessionRecord(), {
    id: randomUUID(),
    tenant: 'clinic-north',
    prescriptionId: randomUUID(),
    seriesId: randomUUID(),
    patientRef: 'patient-1',
    deviceId,
    status: 'running',
    pressureBasis: 'lop',
    bindings: '[]',
    program: '{}',
    programSha256: '0'.repeat(64),
    deviceState: 'HOLDING',
    createdBy: 'dr-lee',
    createdAt: new Date(),
    startedAt: null,
    endedAt: null,
    endReason: null,
    summary: '{}',
    trace: '{}',
  });
}

/**
 * What CuffLeases promises on any database: one holder per cuff, renewals that keep it, expiry,
 * takeovers under a higher epoch, and a session's record written only under the epoch still held.
 */
export function cuffLeasesContract(rig: () => LeaseRig): void {
  let a: CuffLeases;
  let b: CuffLeases;
  let dbA: DataSource;
  let dbB: DataSource;
  let lease: number;
  const cuff = () => `cuff-${randomUUID().slice(0, 8)}`;

  beforeEach(() => {
    const r = rig();
    [dbA, dbB] = r.databases();
    lease = r.leaseMs;
    a = new CuffLeases(dbA, 'replica-a', r.now, r.leaseMs);
    b = new CuffLeases(dbB, 'replica-b', r.now, r.leaseMs);
  });

  it('gives a free cuff to one replica under epoch 1 and refuses it to the other while held', async () => {
    const device = cuff();
    const held = await a.claim(device, null);

    expect(held).toMatchObject({ deviceId: device, epoch: 1 });
    expect(a.lease(device)?.epoch).toBe(1);
    expect(await b.claim(device, null)).toBeNull();
    expect(b.lease(device)).toBeUndefined();
  });

  it('keeps a renewed lease past its first expiry, and lets it go once renewals stop', async () => {
    const device = cuff();
    await a.claim(device, 'session-1');
    await rig().advance(lease * 0.6);
    expect(await a.renew()).toEqual([]);
    await rig().advance(lease * 0.6);

    expect(await b.claim(device, null)).toBeNull();
    expect(await b.expired()).not.toContainEqual(expect.objectContaining({ deviceId: device }));

    await rig().advance(lease + 500);
    expect(await b.expired()).toContainEqual(
      expect.objectContaining({ deviceId: device, sessionId: 'session-1', holder: 'replica-a', epoch: 1 }),
    );
    expect(await b.ofSession('session-1')).toBeNull();
  });

  it('takes an expired session over under the next epoch, once, and the old holder learns it lost the cuff', async () => {
    const device = cuff();
    await a.claim(device, 'session-2');
    await rig().advance(lease + 500);

    expect(await b.claim(device, 'session-2', { sessionId: 'session-2', epoch: 2 })).toBeNull();
    const taken = await b.claim(device, 'session-2', { sessionId: 'session-2', epoch: 1 });
    expect(taken).toMatchObject({ epoch: 2 });
    expect(await a.claim(device, 'session-2', { sessionId: 'session-2', epoch: 1 })).toBeNull();
    expect(await b.ofSession('session-2')).toEqual({ deviceId: device, holder: 'replica-b', epoch: 2 });

    const lost = await a.renew();
    expect(lost).toEqual([expect.objectContaining({ deviceId: device, epoch: 1 })]);
    expect(a.lease(device)).toBeUndefined();
  });

  it('keeps the epoch across a release, so the next holder’s is higher', async () => {
    const device = cuff();
    await a.claim(device, null);
    await a.release(device);

    expect(await b.claim(device, null)).toMatchObject({ epoch: 2 });
  });

  it('refuses the session record’s writes from a replica whose epoch is stale and tells it to stop', async () => {
    const device = cuff();
    const record = sessionRecord(device);
    const journalA = new SessionJournal(dbA);
    const journalB = new SessionJournal(dbB);
    const staleOnA: string[] = [];
    journalA.whenStale((sessionId) => staleOnA.push(sessionId));

    await a.claim(device, record.id);
    await journalA.open(record, []);
    journalA.fence(record.id, a.fenceOf(device));
    journalA.update(record.id, { deviceState: 'DEFLATING' });
    await journalA.flushed(record.id);
    await rig().advance(lease + 500);
    const taken = await b.claim(device, record.id, { sessionId: record.id, epoch: 1 });
    expect(taken?.epoch).toBe(2);
    await journalB.resume(record.id);
    journalB.fence(record.id, b.fenceOf(device));
    journalB.update(record.id, { status: 'aborted', endReason: 'taken over' });
    await journalB.close(record.id);

    // Replica A has not renewed since: it still believes it supervises the session.
    journalA.update(record.id, { status: 'completed', endReason: 'late' });
    journalA.event(record.id, {
      at: new Date(),
      elapsedMs: 1,
      kind: 'note',
      actor: 'supervisor',
      summary: 'late',
      detail: '{}',
    });
    await journalA.flushed(record.id);

    const stored = await dbB.manager.findOneByOrFail(DeviceSessionRecord, { id: record.id });
    expect({ status: stored.status, endReason: stored.endReason, deviceState: stored.deviceState }).toEqual({
      status: 'aborted',
      endReason: 'taken over',
      deviceState: 'DEFLATING',
    });
    expect(await dbB.manager.countBy(DeviceSessionEventRecord, { sessionId: record.id })).toBe(0);
    expect(staleOnA).toEqual([record.id]);
  });
}
