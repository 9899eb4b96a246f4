import { randomBytes } from 'node:crypto';

import { Subject } from 'rxjs';
import { DataSource } from 'typeorm';

import { dataSourceOptions } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { startEmbeddedBroker } from '../../src/device-adapter/mqtt/embedded-broker';
import { DatabaseCommandSequence } from '../../src/device-adapter/command-sequence';
import { EnvelopeIssuer, DEFAULT_COMMAND_LIFETIME_MS } from '../../src/device-adapter/envelope-issuer';
import { CommandAdmission } from '../../src/cuff-sim/command-admission';
import { FirmwareState } from '../../src/cuff-sim/firmware-state';
import { VirtualTimers } from '../../src/device-adapter/timers';
import { MqttRig } from '../mqtt-rig';

/**
 * Command sequence numbers shared by several replicas through PostgreSQL (127.0.0.1:5432, database
 * `test`), in a schema of this run's own, dropped afterwards. Each replica is a connection pool of
 * its own with a clock of its own.
 */
const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bfr_seq_${randomBytes(4).toString('hex')}`;
const url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
const NOON = Date.parse('2026-01-05T12:00:00.000Z');

async function admin<T>(work: (db: DataSource) => Promise<T>): Promise<T> {
  const db = await new DataSource({ type: 'postgres', url: SERVER }).initialize();
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

describe('Command sequence numbers across replicas (PostgreSQL)', () => {
  const replicas: DataSource[] = [];

  beforeAll(async () => {
    await admin((db) => db.query(`CREATE SCHEMA ${schema}`));
    // One after the other: the first runs the migrations, the second finds them done.
    replicas.push(await new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize());
    replicas.push(await new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize());
  });

  afterAll(async () => {
    await Promise.all(replicas.map((db) => db.destroy()));
    await admin((db) => db.query(`DROP SCHEMA ${schema} CASCADE`));
  });

  it('hands out distinct numbers to two replicas claiming at once, none below the clock', async () => {
    const [a, b] = replicas.map((db) => new DatabaseCommandSequence(db));
    const claims = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).next('cuff-concurrent', NOON)),
    );

    expect(new Set(claims).size).toBe(claims.length);
    expect(Math.min(...claims)).toBe(NOON);
    expect(Math.max(...claims)).toBe(NOON + claims.length - 1);
  });

  it('keeps one count per cuff', async () => {
    const sequence = new DatabaseCommandSequence(replicas[0]);

    expect(await sequence.next('cuff-x', NOON)).toBe(NOON);
    expect(await sequence.next('cuff-y', NOON)).toBe(NOON);
    expect(await sequence.next('cuff-x', NOON)).toBe(NOON + 1);
  });

  it('numbers commands a cuff takes in turn from two replicas whose clocks disagree, where counting alone is refused as a replay', async () => {
    const clockA = new VirtualTimers(NOON);
    const clockB = new VirtualTimers(NOON - 5_000);
    // The cuff's own door for commands (SR-12), on the cuff's clock.
    const cuff = (deviceId: string) => new CommandAdmission(new FirmwareState(deviceId, [], new Subject()));
    const issue = async (issuer: EnvelopeIssuer, door: CommandAdmission, deviceId: string, sync: boolean) => {
      const command = { type: 'CLEAR_ALARM', body: {} } as const;
      const admission = door.admit(
        sync ? issuer.issue(deviceId, command) : await issuer.claim(deviceId, command),
        clockA.now(),
      );
      return admission.kind === 'refused' ? admission.result : admission.kind;
    };

    const alone = cuff('cuff-alone');
    expect(await issue(new EnvelopeIssuer(clockA), alone, 'cuff-alone', true)).toBe('admitted');
    expect(await issue(new EnvelopeIssuer(clockB), alone, 'cuff-alone', true)).toBe('REJECTED_REPLAY');

    const shared = cuff('cuff-shared');
    const [issuerA, issuerB] = replicas.map(
      (db, i) =>
        new EnvelopeIssuer(i === 0 ? clockA : clockB, DEFAULT_COMMAND_LIFETIME_MS, new DatabaseCommandSequence(db)),
    );
    const results = [];
    for (const issuer of [issuerA, issuerB, issuerB, issuerA, issuerB]) {
      results.push(await issue(issuer, shared, 'cuff-shared', false));
    }
    expect(results).toEqual(['admitted', 'admitted', 'admitted', 'admitted', 'admitted']);
  });

  it('numbers MQTT commands from the database, refuses to send others when it does not answer, and still sends DEFLATE', async () => {
    const db = await new DataSource(dataSourceOptions({ kind: 'postgres', url }, ENTITIES)).initialize();
    const broker = await startEmbeddedBroker({ port: 0 });
    const rig = new MqttRig(broker.url, new DatabaseCommandSequence(db));
    try {
      await rig.start();
      await rig.ready();
      const [row] = await replicas[0].query(
        `SELECT last_seq FROM device_command_sequences WHERE device_id = 'gw-1-cuff-1'`,
      );
      expect(Number(row.last_seq)).toBeGreaterThanOrEqual(rig.timers.now() - 60_000);

      await db.destroy();
      await expect(rig.send({ type: 'SELF_TEST', body: {} })).rejects.toMatchObject({ reason: 'unsequenced' });
      expect(await rig.send({ type: 'DEFLATE', body: {} })).toMatchObject({ result: 'OK' });
    } finally {
      await rig.close();
      await broker.close();
      if (db.isInitialized) {
        await db.destroy();
      }
    }
  }, 20_000);
});
