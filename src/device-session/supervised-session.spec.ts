import { randomUUID } from 'node:crypto';

import { Subject } from 'rxjs';
import { DataSource } from 'typeorm';

import { cuffProgram, programBlock } from '../../test/cuff-programs';
import { DomainError, ErrorCode } from '../common/problem';
import { dataSourceOptions } from '../database/data-source';
import { ENTITIES } from '../entities';
import { type CuffProgram, programSha256 } from '../device-adapter/cuff-program';
import type { CuffTransport, DeviceInfo } from '../device-adapter/cuff-transport';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { Ack, Command, CuffState, DeviceEvent, Presence, Telemetry } from '../device-adapter/protocol';
import { VirtualTimers } from '../device-adapter/timers';
import { DeviceSessionAlarmRecord } from './device-session-alarm.entity';
import { DeviceSessionEventRecord } from './device-session-event.entity';
import { DeviceSessionRecord } from './device-session.entity';
import { SessionJournal } from './session-journal';
import { SessionSupervisor } from './session-supervisor';

/**
 * A scripted cuff: it answers commands as told and reports whatever pressure the test says,
 * including what a cuff whose own limits failed would report. This is how the server's own checks
 * are shown to act without relying on the cuff's.
 */
class ScriptedCuff implements CuffTransport {
  readonly kind = 'simulator' as const;
  readonly telemetry$ = new Subject<Telemetry>();
  readonly events$ = new Subject<DeviceEvent>();
  readonly presence$ = new Subject<Presence>();
  readonly sent: Command[] = [];
  silent = false;
  state: CuffState = 'PROGRAM_LOADED';

  constructor(private readonly timers: VirtualTimers) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  devices(): DeviceInfo[] {
    return [
      {
        deviceId: 'cuff-1',
        model: 'scripted',
        firmware: '0',
        channels: ['A', 'B'],
        online: true,
        state: this.state,
        gatewayId: null,
        lastSeenAt: null,
      },
    ];
  }

  send(deviceId: string, command: Command): Promise<Ack> {
    this.sent.push(command);
    if (this.silent) {
      return new Promise(() => undefined);
    }
    const at = new Date(this.timers.now()).toISOString();
    return Promise.resolve({
      v: 1,
      msgId: randomUUID(),
      type: 'ACK',
      deviceId,
      ackOf: randomUUID(),
      result: 'OK',
      state: this.state,
      at,
    });
  }

  health() {
    return { status: 'up' as const, devicesKnown: 1, devicesOnline: 1 };
  }

  /** One 100 ms sample: the pressure on channel A, B deflated. */
  report(state: CuffState, mmHg: number, blockIndex: number | null = 0, setIndex: number | null = 0, spread = 1): void {
    this.state = state;
    this.telemetry$.next({
      v: 1,
      type: 'TELEMETRY',
      deviceId: 'cuff-1',
      at: new Date(this.timers.now()).toISOString(),
      state,
      programId: 'prg-1',
      blockIndex,
      setIndex,
      channels: [
        {
          channel: 'A',
          meanMmHg: mmHg,
          minMmHg: mmHg - spread,
          maxMmHg: mmHg + spread,
          pumpDuty: 0,
          targetMmHg: 120,
          blockOcclusionS: 0,
          sessionOcclusionS: 0,
        },
        {
          channel: 'B',
          meanMmHg: 0,
          minMmHg: 0,
          maxMmHg: 0,
          pumpDuty: 0,
          targetMmHg: null,
          blockOcclusionS: 0,
          sessionOcclusionS: 0,
        },
      ],
    });
  }
}

describe("SupervisedSession: the server's own checks", () => {
  let db: DataSource;
  let timers: VirtualTimers;
  let cuff: ScriptedCuff;
  let supervisor: SessionSupervisor;

  beforeAll(async () => {
    db = await new DataSource(dataSourceOptions({ kind: 'sqlite', file: ':memory:' }, ENTITIES)).initialize();
  });

  afterAll(async () => {
    await db.destroy();
  });

  beforeEach(() => {
    timers = new VirtualTimers();
    cuff = new ScriptedCuff(timers);
    supervisor = new SessionSupervisor(cuff, timers, new SessionJournal(db));
  });

  /** A stored, started session of `program` (one thigh cuff on channel A, LOP 200 mmHg, 120 mmHg set point). */
  async function running(
    program: CuffProgram = cuffProgram({
      cuffs: [{ ...cuffProgram().cuffs[0], lopTakenAt: new Date(timers.now()).toISOString() }],
    }),
    blockLimitsS = program.blocks.map(() => 600),
  ) {
    const id = randomUUID();
    await new SessionJournal(db).open(
      {
        id,
        tenant: 't',
        prescriptionId: randomUUID(),
        seriesId: randomUUID(),
        patientRef: 'p',
        deviceId: 'cuff-1',
        status: 'loaded',
        pressureBasis: 'working',
        bindings: '[]',
        program: JSON.stringify(program),
        programSha256: programSha256(program),
        deviceState: 'PROGRAM_LOADED',
        createdBy: 'dr-lee',
        createdAt: new Date(timers.now()),
        startedAt: null,
        endedAt: null,
        endReason: null,
        summary: '{}',
        trace: '{}',
      },
      [],
    );
    const session = supervisor.supervise({
      sessionId: id,
      deviceId: 'cuff-1',
      program,
      blockLimitsS,
      createdAtMs: timers.now(),
    });
    cuff.state = 'INFLATING';
    await session.start('dr-lee');
    return session;
  }

  /** Reports `mmHg` every 100 ms for `ms`. */
  async function hold(
    state: CuffState,
    mmHg: number,
    ms: number,
    blockIndex: number | null = 0,
    setIndex: number | null = 0,
  ): Promise<void> {
    for (let t = 0; t < ms; t += 100) {
      cuff.report(state, mmHg, blockIndex, setIndex);
      await timers.advance(100);
    }
  }

  const alarms = async (id: string) =>
    (await db.getRepository(DeviceSessionAlarmRecord).find({ where: { sessionId: id }, order: { seq: 'ASC' } })).map(
      (a) => [a.code, a.action],
    );
  const stored = (id: string) => db.getRepository(DeviceSessionRecord).findOneByOrFail({ id });
  const deflateSent = () => cuff.sent.filter((c) => c.type === 'DEFLATE').length;

  it('records a pressure below the window for more than 1 s, and carries on', async () => {
    const session = await running();
    await hold('HOLDING', 120, 1000);
    await hold('HOLDING', 100, 1500);
    await hold('HOLDING', 120, 1000);
    expect(session.isActive).toBe(true);
    expect(deflateSent()).toBe(0);
    await supervisor.stopAll('end of test');
    expect(await alarms(session.id)).toEqual([['PRESSURE_OUT_OF_WINDOW', 'recorded']]);
  });

  it('deflates when the pressure stays more than 15 mmHg over the set point for more than 5 s (SR-8)', async () => {
    const session = await running();
    await hold('HOLDING', 140, 4900);
    expect(session.isActive).toBe(true);
    await hold('HOLDING', 140, 300);
    await session.settled;

    expect(deflateSent()).toBe(1);
    expect(await alarms(session.id)).toEqual([
      ['PRESSURE_OUT_OF_WINDOW', 'recorded'],
      ['PRESSURE_HIGH', 'deflated'],
    ]);
    expect(await stored(session.id)).toMatchObject({ status: 'aborted', endReason: expect.stringContaining('SR-8') });
  });

  it('deflates at once on a reading at the 300 mmHg trip (SR-1)', async () => {
    const session = await running();
    await hold('HOLDING', 120, 500);
    cuff.report('HOLDING', 296, 0, 0, 5);
    await session.settled;

    expect(await alarms(session.id)).toEqual([['OVERPRESSURE', 'deflated']]);
  });

  it("deflates a cuff kept inflated past its block's limit, on the server's own timer (SR-4)", async () => {
    const session = await running(undefined, [60]);
    await hold('HOLDING', 120, (60 + DEVICE_LIMITS.inflateTimeoutS) * 1000 - 200);
    expect(session.isActive).toBe(true);
    await hold('HOLDING', 120, 400);
    await session.settled;

    expect(await alarms(session.id)).toEqual([['BLOCK_TIME_LIMIT', 'deflated']]);
  });

  it("counts a limb's inflation over the session, across blocks (SR-6)", async () => {
    const program = cuffProgram({
      cuffs: [{ ...cuffProgram().cuffs[0], lopTakenAt: new Date(timers.now()).toISOString() }],
      limits: { ...cuffProgram().limits, maxSessionInflationS: 120 },
      blocks: [programBlock({ blockId: 'b1' }), programBlock({ blockId: 'b2' })],
    });
    const session = await running(program);
    await hold('HOLDING', 120, 100_000, 0);
    await hold('REPERFUSION', 0, 61_000, 0);
    await hold('HOLDING', 120, 80_000 - 500, 1);
    expect(session.isActive).toBe(true);
    await hold('HOLDING', 120, 1000, 1);
    await session.settled;

    expect(await alarms(session.id)).toEqual([['SESSION_TIME_LIMIT', 'deflated']]);
  });

  it('deflates a cuff that inflates for the next block before its reperfusion is over (SR-5)', async () => {
    const program = cuffProgram({
      cuffs: [{ ...cuffProgram().cuffs[0], lopTakenAt: new Date(timers.now()).toISOString() }],
      blocks: [programBlock({ blockId: 'b1' }), programBlock({ blockId: 'b2' })],
    });
    const session = await running(program);
    await hold('HOLDING', 120, 5000, 0);
    await hold('REPERFUSION', 0, 30_000, 0);
    await hold('INFLATING', 60, 500, 1);
    await session.settled;

    expect(await alarms(session.id)).toEqual([['REPERFUSION_SHORT', 'deflated']]);
  });

  it('calls the cuff lost after 3 s without telemetry (SR-7)', async () => {
    const session = await running();
    await hold('HOLDING', 120, 1000);
    // The last sample came 100 ms ago.
    await timers.advance(DEVICE_LIMITS.telemetryStaleMs - 101);
    expect(session.isActive).toBe(true);
    await timers.advance(1);
    await session.settled;

    expect(deflateSent()).toBe(1);
    expect(await alarms(session.id)).toEqual([['TELEMETRY_LOST', 'deflated']]);
  });

  it('fails a command that gets no ack within 2 s on its own clock (SR-11), and deflates', async () => {
    const session = await running();
    await hold('HOLDING', 120, 500);
    cuff.silent = true;
    const paused = session.pause('dr-lee').catch((error: unknown) => error);
    await timers.advance(DEVICE_LIMITS.ackDeadlineMs - 1);
    expect(session.isActive).toBe(true);
    await timers.advance(1);
    const error = await paused;

    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.DeviceNoAck);
    expect(session.isActive).toBe(false);
    expect(cuff.sent.map((c) => c.type)).toEqual(['START', 'PAUSE', 'DEFLATE']);
    await timers.advance(DEVICE_LIMITS.ackDeadlineMs);
    await session.settled;
    expect(await alarms(session.id)).toEqual([
      ['NO_ACK', 'deflated'],
      ['DEFLATE_UNCONFIRMED', 'recorded'],
    ]);
    const log = await db
      .getRepository(DeviceSessionEventRecord)
      .find({ where: { sessionId: session.id }, order: { seq: 'ASC' } });
    expect(log.map((e) => e.summary)).toEqual([
      'START → OK; cuff INFLATING',
      expect.stringMatching(/^PAUSE was not carried out: Cuff cuff-1 did not acknowledge PAUSE within 2 s/),
    ]);
  });
});
