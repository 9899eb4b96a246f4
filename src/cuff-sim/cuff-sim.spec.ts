import { cuffProgram, programBlock } from '../../test/cuff-programs';
import { expectOk, shortProgram, SimController } from '../../test/sim-controller';
import { programSha256 } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import { EnvelopeIssuer } from '../device-adapter/envelope-issuer';
import { PROTOCOL_VERSION } from '../device-adapter/protocol';

describe('CuffSim protocol', () => {
  let sut: SimController;
  afterEach(() => sut.close());

  const envelope = (overrides: Record<string, unknown> = {}) => ({
    v: PROTOCOL_VERSION,
    msgId: 'm-1',
    type: 'SELF_TEST',
    deviceId: 'cuff-1',
    seq: sut.timers.now(),
    issuedAt: new Date(sut.timers.now()).toISOString(),
    expiresAt: new Date(sut.timers.now() + 30_000).toISOString(),
    body: {},
    ...overrides,
  });

  it('answers every command with its msgId, the result and the state after it', () => {
    sut = new SimController();

    const ack = sut.sim.handle(envelope());

    expect(ack).toMatchObject({
      v: 1,
      type: 'ACK',
      deviceId: 'cuff-1',
      ackOf: 'm-1',
      result: 'OK',
      state: 'SELF_TEST',
    });
  });

  it('refuses a replayed message (same msgId, or a seq not above the last) with REJECTED_REPLAY', () => {
    sut = new SimController();
    const first = envelope({ seq: sut.timers.now() + 10 });
    expectOk(sut.sim.handle(first) as never);

    expect(sut.sim.handle(first)?.result).toBe('REJECTED_REPLAY');
    expect(sut.sim.handle(envelope({ msgId: 'm-2', seq: sut.timers.now() + 10 }))?.result).toBe('REJECTED_REPLAY');
    expect(sut.sim.handle(envelope({ msgId: 'm-3', seq: sut.timers.now() + 5 }))?.result).toBe('REJECTED_REPLAY');
    expect(sut.sim.handle(envelope({ msgId: 'm-4', type: 'DEFLATE', seq: sut.timers.now() + 11 }))?.result).toBe('OK');
  });

  it('refuses a command from a controller that was fenced off (a lower epoch), but still deflates for it', async () => {
    sut = new SimController();
    await sut.driveTo('HOLDING');
    const issuer = new EnvelopeIssuer(sut.timers);
    expectOk(sut.sim.handle(issuer.issue('cuff-1', { type: 'PAUSE', body: {} }, 3)) as never);

    const stale = sut.sim.handle(issuer.issue('cuff-1', { type: 'RESUME', body: {} }, 2));
    const unfenced = sut.sim.handle(issuer.issue('cuff-1', { type: 'RESUME', body: {} }));
    await sut.advance(3_000);

    expect([stale?.result, unfenced?.result]).toEqual(['REJECTED_CONFLICT', 'REJECTED_CONFLICT']);
    expect(sut.sim.state).toBe('PAUSED');
    expect(sut.sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
    expectOk(sut.sim.handle(issuer.issue('cuff-1', { type: 'RESUME', body: {} }, 3)) as never);
    expect(sut.sim.handle(issuer.issue('cuff-1', { type: 'DEFLATE', body: {} }, 1))?.result).toBe('OK');
  });

  it('refuses an expired command, one from the cuff’s future, and one that would live longer than 5 minutes', () => {
    sut = new SimController();
    const now = sut.timers.now();

    expect(
      sut.sim.handle(
        envelope({
          msgId: 'e-1',
          seq: now + 1,
          issuedAt: new Date(now - 60_000).toISOString(),
          expiresAt: new Date(now - 1).toISOString(),
        }),
      )?.result,
    ).toBe('REJECTED_EXPIRED');
    expect(
      sut.sim.handle(
        envelope({
          msgId: 'e-2',
          seq: now + 2,
          issuedAt: new Date(now + 6 * 60_000).toISOString(),
          expiresAt: new Date(now + 7 * 60_000).toISOString(),
        }),
      )?.result,
    ).toBe('REJECTED_EXPIRED');
    expect(
      sut.sim.handle(
        envelope({
          msgId: 'e-3',
          seq: now + 3,
          expiresAt: new Date(now + DEVICE_LIMITS.maxCommandLifetimeMs + 1).toISOString(),
        }),
      )?.result,
    ).toBe('INVALID');
    expect(sut.sim.state).toBe('IDLE');
  });

  it('refuses every command but DEFLATE when its clock is 10 minutes ahead of the server’s', async () => {
    sut = new SimController();
    await sut.driveTo('HOLDING');
    sut.sim.faults.clockSkew(10 * 60_000);

    expect(sut.send({ type: 'PAUSE', body: {} }).result).toBe('REJECTED_EXPIRED');
    expect(sut.send({ type: 'DEFLATE', body: {} })).toMatchObject({ result: 'OK', state: 'DEFLATING' });
  });

  it('answers malformed commands INVALID, names the field, and leaves the cuff as it was', () => {
    sut = new SimController();

    const ack = sut.sim.handle(envelope({ type: 'MEASURE_LOP', body: { channel: 'C', posture: 'supine' } }));

    expect(ack).toMatchObject({ result: 'INVALID', state: 'IDLE' });
    expect(ack?.detail).toContain('body.channel');
    expect(sut.sim.handle(envelope({ msgId: 'm-2', deviceId: 'cuff-9' }))).toMatchObject({
      result: 'INVALID',
      detail: 'addressed to cuff-9, this is cuff-1',
    });
    expect(sut.sim.handle(envelope({ msgId: 'm-3', patientId: 'mrn-1' }))?.result).toBe('INVALID');
    expect(sut.sim.handle({ type: 'SELF_TEST' })).toBeNull();
    expect(sut.sim.handle('not json at all')).toBeNull();
    expect(sut.sim.state).toBe('IDLE');
  });

  it('deflates on a DEFLATE it cannot otherwise read', async () => {
    sut = new SimController();
    await sut.driveTo('HOLDING');

    const ack = sut.sim.handle({ msgId: 'x-1', type: 'DEFLATE', deviceId: 'cuff-1', seq: 'garbage' });

    expect(ack).toMatchObject({ result: 'OK', state: 'DEFLATING' });
  });

  describe('programs', () => {
    it('loads a program once: the same id and hash again is the same OK with the same hash, in any state (SR-12)', async () => {
      sut = new SimController();
      await sut.ready();
      const program = shortProgram();

      const first = sut.push(program);
      const again = sut.push(program);

      expect(first).toMatchObject({ result: 'OK', state: 'PROGRAM_LOADED', programSha256: programSha256(program) });
      expect(again).toMatchObject({ result: 'OK', state: 'PROGRAM_LOADED', programSha256: first.programSha256 });
      expectOk(sut.send({ type: 'START', body: { programId: program.programId } }));
      await sut.untilState('HOLDING');
      expect(sut.push(program)).toMatchObject({ result: 'OK', state: 'HOLDING', programSha256: first.programSha256 });
    });

    it('refuses the same program id with another hash (REJECTED_CONFLICT), even after the first was replaced', async () => {
      sut = new SimController();
      await sut.ready();
      expectOk(sut.push(shortProgram()));
      expectOk(sut.push(cuffProgram({ programId: 'prg-2' })));

      const changed = shortProgram({ blocks: [programBlock({ setRestS: 45 })] });

      expect(sut.push(changed)).toMatchObject({ result: 'REJECTED_CONFLICT', state: 'PROGRAM_LOADED' });
      expect(sut.sim.program?.programId).toBe('prg-2');
    });

    it('refuses a program whose hash does not match its content', async () => {
      sut = new SimController();
      await sut.ready();

      const ack = sut.push(shortProgram(), programSha256(cuffProgram({ programId: 'prg-9' })));

      expect(ack).toMatchObject({ result: 'INVALID', state: 'READY' });
      expect(ack.detail).toContain('sha256 does not match');
    });

    const base = cuffProgram();
    it.each([
      ['a target above 80 % LOP', cuffProgram({ blocks: [programBlock({ targetPct: 85, targetMmHg: 170 })] }), 'SR-2'],
      [
        'a set point above 250 mmHg',
        cuffProgram({
          cuffs: [{ ...base.cuffs[0], lopMmHg: 320 }],
          blocks: [programBlock({ targetPct: 80, targetMmHg: 256 })],
        }),
        'SR-1',
      ],
      [
        'a block longer than the limit',
        cuffProgram({
          blocks: [
            programBlock({
              sets: [
                { reps: 0, workS: 1200 },
                { reps: 0, workS: 60 },
              ],
            }),
          ],
        }),
        'SR-4',
      ],
      [
        'a reperfusion shorter than 60 s',
        cuffProgram({ blocks: [programBlock({ reperfusionS: 30 }), programBlock({ blockId: 'b2' })] }),
        'SR-5',
      ],
      [
        'a target that is not its percentage of the LOP',
        cuffProgram({ blocks: [programBlock({ targetMmHg: 125 })] }),
        'SR-2',
      ],
      [
        'limits looser than the cuff’s',
        cuffProgram({ limits: { ...base.limits, maxSessionInflationS: 3600 } }),
        'SR-6',
      ],
    ])('refuses %s with REJECTED_LIMIT', async (_, program, requirement) => {
      sut = new SimController();
      await sut.ready();

      const ack = sut.push(program);

      expect(ack).toMatchObject({ result: 'REJECTED_LIMIT', state: 'READY' });
      expect(ack.detail).toContain(requirement);
      expect(ack.programSha256).toBeUndefined();
    });

    it('refuses a new program while a cuff is inflated', async () => {
      sut = new SimController();
      await sut.driveTo('HOLDING');

      expect(sut.push(cuffProgram({ programId: 'prg-2' }))).toMatchObject({
        result: 'REJECTED_STATE',
        state: 'HOLDING',
      });
    });
  });

  describe('a session', () => {
    it('runs blocks in order: sets, inflated rest, reperfusion deflated for its full time, then DONE', async () => {
      sut = new SimController();
      const program = cuffProgram({
        cuffs: [
          ...cuffProgram().cuffs,
          { ...cuffProgram().cuffs[0], channel: 'B', site: { limb: 'thigh', side: 'right' } },
        ],
        blocks: [
          programBlock({
            blockId: 'b1',
            sets: [
              { reps: 10, workS: 20 },
              { reps: 10, workS: 20 },
            ],
            setRestS: 10,
            reperfusionS: 60,
          }),
          programBlock({
            blockId: 'b2',
            channel: 'B',
            mode: 'intermittent',
            inflatedDuringRest: false,
            sets: [
              { reps: 10, workS: 20 },
              { reps: 10, workS: 20 },
            ],
            setRestS: 10,
          }),
        ],
      });
      await sut.started(program);
      await sut.untilState('DONE');

      const kinds = sut.events
        .map((e) => e.event)
        .filter((e) => e.kind !== 'STATE_CHANGED' && e.kind !== 'BOOTED' && !e.kind.startsWith('SELF_TEST'));
      expect(
        kinds.map((e) => [e.kind, 'blockId' in e ? e.blockId : null, 'setIndex' in e ? e.setIndex : null]),
      ).toEqual([
        ['SET_STARTED', 'b1', 0],
        ['SET_COMPLETED', 'b1', 0],
        ['SET_STARTED', 'b1', 1],
        ['SET_COMPLETED', 'b1', 1],
        ['BLOCK_COMPLETED', 'b1', null],
        ['SET_STARTED', 'b2', 0],
        ['SET_COMPLETED', 'b2', 0],
        ['SET_STARTED', 'b2', 1],
        ['SET_COMPLETED', 'b2', 1],
        ['BLOCK_COMPLETED', 'b2', null],
        ['SESSION_COMPLETED', null, null],
      ]);
      const states = sut.statesVisited();
      expect(states.slice(states.indexOf('INFLATING'))).toEqual([
        'INFLATING',
        'HOLDING',
        'SET_REST',
        'HOLDING',
        'DEFLATING',
        'REPERFUSION',
        'INFLATING',
        'HOLDING',
        'SET_REST',
        'INFLATING',
        'HOLDING',
        'DEFLATING',
        'DONE',
      ]);
      const reperfusion = sut.telemetry.filter((t) => t.state === 'REPERFUSION');
      expect(reperfusion.length * 100).toBeGreaterThanOrEqual(60_000);
      expect(Math.max(...reperfusion.flatMap((t) => t.channels.map((c) => c.maxMmHg as number)))).toBeLessThanOrEqual(
        DEVICE_LIMITS.deflatedMmHg,
      );
      const blockB = sut.events.find((e) => e.event.kind === 'BLOCK_COMPLETED' && e.event.blockId === 'b2')?.event;
      expect(blockB).toMatchObject({ occlusionS: 40 });
      // Intermittent: the cuff is down between the sets.
      const restB = sut.telemetry.filter((t) => t.state === 'SET_REST' && t.blockIndex === 1).slice(30);
      expect(
        Math.max(...restB.map((t) => t.channels.find((c) => c.channel === 'B')?.maxMmHg as number)),
      ).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
    });

    it('runs a full 30-minute session of six blocks on the virtual clock', async () => {
      sut = new SimController();
      const sets = [
        { reps: 30, workS: 60 },
        { reps: 15, workS: 40 },
        { reps: 15, workS: 40 },
        { reps: 15, workS: 40 },
      ];
      const program = cuffProgram({
        blocks: [1, 2, 3, 4, 5, 6].map((i) => programBlock({ blockId: `b${i}`, sets, setRestS: 30, reperfusionS: 60 })),
        limits: { ...cuffProgram().limits, maxBlockInflationS: 600 },
      });
      const startedAt = sut.timers.now();
      await sut.started(program);
      await sut.untilState('DONE', 60 * 60_000);

      expect(sut.timers.now() - startedAt).toBeGreaterThan(6 * 270_000 + 5 * 60_000);
      expect(sut.sim.occlusionS('A').session).toBeCloseTo(6 * (180 + 90), 6);
      expect(sut.alarmsRaised()).toEqual([]);
    });

    it('guides passive cycles without contraction waves', async () => {
      sut = new SimController();
      await sut.started(
        cuffProgram({
          blocks: [
            programBlock({
              mode: 'passive',
              inflatedDuringRest: false,
              sets: [
                { reps: 0, workS: 30 },
                { reps: 0, workS: 30 },
              ],
              setRestS: 20,
            }),
          ],
        }),
      );
      await sut.untilState('DONE');

      const held = sut.telemetry
        .filter((t) => t.state === 'HOLDING')
        .slice(20)
        .flatMap((t) => t.channels.filter((c) => c.channel === 'A'));
      expect(Math.max(...held.map((c) => (c.maxMmHg as number) - (c.minMmHg as number)))).toBeLessThan(8);
    });

    it('pauses deflated, then resumes the interrupted set for its remaining time', async () => {
      sut = new SimController();
      await sut.started(cuffProgram({ blocks: [programBlock({ sets: [{ reps: 20, workS: 40 }] })] }));
      await sut.untilState('HOLDING');
      await sut.advance(15_000);

      expectOk(sut.send({ type: 'PAUSE', body: {} }));
      await sut.untilState('PAUSED');
      await sut.advance(20_000);
      expect(sut.sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
      expectOk(sut.send({ type: 'RESUME', body: {} }));
      await sut.untilState('DONE');

      const completed = sut.events.find((e) => e.event.kind === 'SET_COMPLETED')?.event;
      expect(completed).toMatchObject({ workS: 40 });
      expect(sut.events.filter((e) => e.event.kind === 'SET_STARTED')).toHaveLength(1);
      expect(sut.sim.occlusionS('A').block).toBeCloseTo(40, 1);
    });

    it('ends a set early on NEXT_SET, and ends an inflated rest early on the next NEXT_SET', async () => {
      sut = new SimController();
      await sut.started(
        cuffProgram({
          blocks: [
            programBlock({
              sets: [
                { reps: 20, workS: 40 },
                { reps: 20, workS: 40 },
              ],
              setRestS: 60,
            }),
          ],
        }),
      );
      await sut.untilState('HOLDING');
      await sut.advance(10_000);

      expect(sut.send({ type: 'NEXT_SET', body: {} })).toMatchObject({ result: 'OK', state: 'SET_REST' });
      await sut.advance(5_000);
      expect(sut.send({ type: 'NEXT_SET', body: {} })).toMatchObject({ result: 'OK', state: 'HOLDING' });

      const completed = sut.events.find((e) => e.event.kind === 'SET_COMPLETED')?.event;
      expect(completed).toMatchObject({ setIndex: 0 });
      expect((completed as { workS: number }).workS).toBeCloseTo(10, 0);
    });
  });

  describe('safe state', () => {
    it('deflates within 5 s plus the dump time when the controller heartbeat stops while inflated (SR-7)', async () => {
      sut = new SimController();
      await sut.driveTo('HOLDING');
      sut.heartbeatOff();
      const lastBeat = sut.timers.now() - (sut.timers.now() % 1000);

      await sut.timers.advanceUntil(() => sut.sim.pressure('A') <= DEVICE_LIMITS.deflatedMmHg, {
        timeoutMs: 20_000,
        stepMs: 10,
      });

      expect(sut.timers.now() - lastBeat).toBeLessThanOrEqual(DEVICE_LIMITS.watchdogMs + 3_000);
      expect(sut.alarmsRaised()).toContainEqual({ alarm: 'HEARTBEAT_LOST', action: 'deflate' });
      await sut.untilState('FAULT');
    });

    it('does not inflate without a controller heartbeat', async () => {
      sut = new SimController();
      await sut.ready();
      expectOk(sut.push(shortProgram()));
      sut.heartbeatOff();
      await sut.advance(6_000);

      expect(sut.send({ type: 'START', body: { programId: 'prg-1' } })).toMatchObject({
        result: 'REJECTED_STATE',
        state: 'PROGRAM_LOADED',
      });
    });

    it('comes back from a reboot mid-block IDLE and deflated, its program gone, and still refuses old commands (SR-15)', async () => {
      sut = new SimController();
      await sut.driveTo('HOLDING');
      const issuer = new EnvelopeIssuer(sut.timers);
      const old = issuer.issue('cuff-1', { type: 'NEXT_SET', body: {} });
      expectOk(sut.sim.handle(old) as never);

      sut.sim.faults.reboot();
      await sut.advance(5_000);

      expect(sut.sim.state).toBe('IDLE');
      expect(sut.sim.program).toBeNull();
      expect(sut.sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
      expect(sut.events.map((e) => e.event.kind)).toContain('BOOTED');
      expect(sut.send({ type: 'START', body: { programId: 'prg-1' } }).result).toBe('REJECTED_STATE');
      expect(sut.sim.handle({ ...old, msgId: 'replayed-after-reboot' })?.result).toBe('REJECTED_REPLAY');
    });

    it('deflates when the button is pressed, without any controller', async () => {
      sut = new SimController();
      await sut.driveTo('HOLDING');
      sut.heartbeatOff();

      sut.sim.faults.pressButton();
      await sut.untilState('ABORTED');

      expect(sut.events.map((e) => e.event.kind)).toContain('BUTTON_PRESSED');
      expect(sut.sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
    });

    it.each([
      ['gives no reading', { kind: 'nan' } as const],
      ['freezes', { kind: 'frozen' } as const],
      ['jumps by an offset', { kind: 'offset', mmHg: -40 } as const],
    ])('deflates and faults when the pressure sensor %s', async (_, fault) => {
      sut = new SimController();
      await sut.driveTo('HOLDING');

      sut.sim.faults.sensor('A', fault);
      await sut.untilState('FAULT', 30_000);

      expect(sut.alarmsRaised()).toContainEqual({ alarm: 'SENSOR_FAULT', action: 'deflate' });
      expect(sut.sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
      expect(sut.sim.record('A').peakMmHg).toBeLessThan(200);
    });

    it('fails the self-test of a leaking cuff, and needs CLEAR_ALARM and a new self-test after a fault', async () => {
      sut = new SimController();
      sut.sim.faults.leak('B', 1);
      expectOk(sut.send({ type: 'SELF_TEST', body: {} }));

      const failed = await sut.untilEvent('SELF_TEST_FAILED', 60_000);
      await sut.untilState('FAULT');

      expect(failed.detail).toMatch(/^channel B lost \d+\.\d mmHg in 10 s/);
      expect(sut.push(shortProgram()).result).toBe('REJECTED_STATE');
      expect(sut.send({ type: 'CLEAR_ALARM', body: {} })).toMatchObject({ result: 'OK', state: 'IDLE' });
      expect(sut.push(shortProgram()).result).toBe('REJECTED_STATE');
      sut.sim.faults.leak('B', 0);
      await sut.ready();
      expectOk(sut.push(shortProgram()));
    });

    it('carries out commands but answers none with the never-ack fault', async () => {
      sut = new SimController();
      await sut.driveTo('HOLDING');
      sut.sim.faults.neverAck(true);

      expect(sut.sim.handle(new EnvelopeIssuer(sut.timers).issue('cuff-1', { type: 'DEFLATE', body: {} }))).toBeNull();
      await sut.untilState('ABORTED');
    });
  });
});
