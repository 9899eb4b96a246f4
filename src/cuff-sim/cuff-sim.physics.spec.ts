import { cuffProgram, programBlock } from '../../test/cuff-programs';
import { expectOk, SimController } from '../../test/sim-controller';
import type { CuffProgram } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import { PNEUMATICS, rampTimeS } from './cuff-physics';

/** One thigh cuff with the given LOP and a single continuous block at `pct` % of it. */
function programAt(lopMmHg: number, pct: number, sets = [{ reps: 30, workS: 60 }]): CuffProgram {
  const base = cuffProgram();
  return cuffProgram({
    cuffs: [{ ...base.cuffs[0], lopMmHg }],
    blocks: [programBlock({ targetPct: pct, targetMmHg: Math.round((pct / 100) * lopMmHg), sets, setRestS: 30 })],
  });
}

/** Dump and bleed together: dP/dt = −P/τ − bleed. */
function deflateTimeS(fromMmHg: number, toMmHg: number): number {
  const tau = PNEUMATICS.dumpTauS;
  const floor = PNEUMATICS.bleedMmHgPerS * tau;
  return tau * Math.log((fromMmHg + floor) / (toMmHg + floor));
}

describe('CuffSim physics', () => {
  let sut: SimController;
  afterEach(() => sut.close());

  it('inflates from 0 to 200 mmHg in the time the pump model gives', async () => {
    sut = new SimController();
    await sut.ready();
    expectOk(sut.push(programAt(250, 80)));
    expectOk(sut.send({ type: 'START', body: { programId: 'prg-1' } }));

    const tookMs = await sut.untilState('HOLDING', 30_000, 10);

    // HOLDING begins 5 mmHg below the set point.
    const expectedMs = rampTimeS(0, 195) * 1000;
    expect(Math.abs(tookMs - expectedMs)).toBeLessThanOrEqual(200);
  });

  it('dumps from the set point to 10 mmHg in the time the dump valve and bleed give', async () => {
    sut = new SimController();
    await sut.ready();
    expectOk(sut.push(programAt(250, 80)));
    expectOk(sut.send({ type: 'START', body: { programId: 'prg-1' } }));
    await sut.untilState('HOLDING');
    await sut.advance(5_000);
    const from = sut.sim.pressure('A');

    expectOk(sut.send({ type: 'DEFLATE', body: {} }));
    const tookMs = await sut.untilState('ABORTED', 30_000, 10);

    expect(Math.abs(tookMs - deflateTimeS(from, DEVICE_LIMITS.deflatedMmHg) * 1000)).toBeLessThanOrEqual(250);
    expect(sut.sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
  });

  it.each([
    [180, 50],
    [200, 80],
    [280, 80],
  ])('holds LOP %i × %i %% within the regulator band while the patient exercises', async (lop, pct) => {
    sut = new SimController({ lopMmHg: { A: lop } });
    const program = programAt(lop, pct, [
      { reps: 30, workS: 60 },
      { reps: 15, workS: 30 },
    ]);
    const target = program.blocks[0].targetMmHg;
    await sut.started(program);
    await sut.untilState('DONE');

    const holding = sut.telemetry
      .filter((t) => t.state === 'HOLDING' || t.state === 'SET_REST')
      .flatMap((t) => t.channels.filter((c) => c.channel === 'A'));
    const mean = holding.reduce((sum, c) => sum + (c.meanMmHg as number), 0) / holding.length;
    expect(mean).toBeGreaterThanOrEqual(target - 1);
    expect(mean).toBeLessThanOrEqual(target + 5);
    // The contraction wave: up to +9 % / −8 % of the pressure, never a window alarm.
    expect(Math.max(...holding.map((c) => c.maxMmHg as number))).toBeLessThanOrEqual(target * 1.09 + 8);
    expect(Math.min(...holding.map((c) => c.minMmHg as number))).toBeGreaterThanOrEqual(target * 0.92 - 8);
    expect(sut.alarmsRaised()).toEqual([]);
    expect(sut.sim.occlusionS('A')).toEqual({ block: 120, session: 120 });
  });

  it('raises CUFF_LEAK once the pump has made up a slow leak over 7 s, and keeps holding', async () => {
    sut = new SimController();
    await sut.started(programAt(200, 60));
    await sut.untilState('HOLDING');
    await sut.advance(10_000);
    const injectedAt = sut.timers.now();

    sut.sim.faults.leak('A', 2);
    await sut.untilEvent('ALARM_RAISED', 20_000);

    const raised = sut.events.find((e) => e.event.kind === 'ALARM_RAISED');
    expect(raised?.event).toMatchObject({ alarm: 'CUFF_LEAK', action: 'none' });
    // The loss averaged over the 7 s window passes 1 mmHg/s once half the window has leaked at 2 mmHg/s.
    const afterMs = Date.parse(raised?.at as string) - injectedAt;
    expect(afterMs).toBeGreaterThanOrEqual(((DEVICE_LIMITS.leakWindowS * DEVICE_LIMITS.leakAlarmMmHgPerS) / 2) * 1000);
    expect(afterMs).toBeLessThanOrEqual(DEVICE_LIMITS.leakWindowS * 1000);
    await sut.advance(10_000);
    expect(sut.sim.state).toBe('HOLDING');
    expect(sut.alarmsRaised().filter((a) => a.action === 'deflate')).toEqual([]);
  });

  it('deflates on a fast leak (> 5 mmHg/s) and goes to FAULT', async () => {
    sut = new SimController();
    await sut.started(programAt(200, 60));
    await sut.untilState('HOLDING');
    await sut.advance(5_000);

    sut.sim.faults.leak('A', 9);
    await sut.untilState('FAULT', 30_000);

    expect(sut.alarmsRaised()).toContainEqual({ alarm: 'CUFF_LEAK', action: 'deflate' });
    expect(sut.sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
  });

  it('trips the independent limiter below 300 mmHg when the pump runs away behind a stuck dump valve', async () => {
    sut = new SimController({ lopMmHg: { A: 300 } });
    await sut.started(programAt(300, 80));
    await sut.untilState('HOLDING');

    sut.sim.faults.dumpValve('A', 'stuck-closed');
    sut.sim.faults.pumpRunaway('A', true);
    await sut.untilState('FAULT', 60_000);

    expect(sut.sim.limiterTripped('A')).toBe(true);
    expect(
      sut
        .alarmsRaised()
        .filter((a) => a.action === 'deflate')
        .map((a) => a.alarm),
    ).toEqual(['INDEPENDENT_CUTOFF']);
    expect(sut.sim.record('A').peakMmHg).toBeGreaterThan(DEVICE_LIMITS.tripMmHg - 10);
    expect(sut.sim.record('A').peakMmHg).toBeLessThan(DEVICE_LIMITS.tripMmHg);
    expect(sut.sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
  });

  it('cuts a runaway pump through the limiter when the open dump valve cannot empty the cuff', async () => {
    sut = new SimController();
    await sut.started(programAt(200, 60));
    await sut.untilState('HOLDING');

    sut.sim.faults.pumpRunaway('A', true);
    await sut.untilState('FAULT', 60_000);

    expect(sut.alarmsRaised().map((a) => a.alarm)).toEqual(expect.arrayContaining(['PRESSURE_HIGH']));
    expect(sut.sim.limiterTripped('A')).toBe(true);
    expect(sut.sim.pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
    expect(sut.sim.record('A').peakMmHg).toBeLessThan(DEVICE_LIMITS.tripMmHg);
  });

  describe('LOP measurement', () => {
    it.each([
      [110, 1],
      [150, 2],
      [180, 3],
      [220, 4],
      [250, 5],
      [272, 6],
    ])('finds a LOP of %i mmHg within ±10 mmHg (seed %i)', async (lop, seed) => {
      sut = new SimController({ lopMmHg: { B: lop }, seed });
      await sut.ready();

      expectOk(sut.send({ type: 'MEASURE_LOP', body: { channel: 'B', posture: 'supine' } }));
      const measured = await sut.untilEvent('LOP_MEASURED', DEVICE_LIMITS.lopSearchTimeoutS * 1000 + 5_000);
      await sut.untilState('READY');

      expect(measured.lop).toMatchObject({ channel: 'B', found: true, posture: 'supine', searchCeilingMmHg: 280 });
      expect(Math.abs((measured.lop.lopMmHg as number) - lop)).toBeLessThanOrEqual(10);
      expect(measured.lop.beatsUsed).toBeGreaterThan(5);
      expect(measured.lop.confidence).toBeGreaterThan(0.5);
      expect(sut.sim.pressure('B')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
      expect(sut.sim.record('B').peakMmHg).toBeLessThan(lop + 25);
    });

    it.each([290, 340])(
      'reports LOP_NOT_FOUND for a LOP of %i mmHg, above the 280 mmHg search ceiling',
      async (lop) => {
        sut = new SimController({ lopMmHg: { A: lop } });
        await sut.ready();

        expectOk(sut.send({ type: 'MEASURE_LOP', body: { channel: 'A', posture: 'seated' } }));
        const measured = await sut.untilEvent('LOP_MEASURED', DEVICE_LIMITS.lopSearchTimeoutS * 1000 + 5_000);
        await sut.untilState('READY');

        expect(measured.lop).toMatchObject({ found: false, lopMmHg: null, reason: 'LOP_NOT_FOUND', posture: 'seated' });
        expect(sut.sim.record('A').peakMmHg).toBeLessThan(DEVICE_LIMITS.lopSearchCeilingMmHg + 5);
      },
    );

    it('reports the search as stopped when the cuff is deflated during it', async () => {
      sut = new SimController();
      await sut.ready();
      expectOk(sut.send({ type: 'MEASURE_LOP', body: { channel: 'A', posture: 'supine' } }));
      await sut.advance(5_000);

      expectOk(sut.send({ type: 'DEFLATE', body: {} }));
      const measured = await sut.untilEvent('LOP_MEASURED', 1_000, 0);

      expect(measured.lop).toMatchObject({ found: false, reason: 'ABORTED' });
      await sut.untilState('READY');
    });

    it('reports a stopped search once: an alarm in the session after it says nothing more about LOP', async () => {
      sut = new SimController();
      await sut.ready();
      expectOk(sut.send({ type: 'MEASURE_LOP', body: { channel: 'A', posture: 'supine' } }));
      await sut.advance(5_000);
      expectOk(sut.send({ type: 'DEFLATE', body: {} }));
      await sut.untilState('READY');
      const program = cuffProgram();
      expectOk(sut.push(program));
      expectOk(sut.send({ type: 'START', body: { programId: program.programId } }));
      await sut.untilState('HOLDING');

      sut.sim.faults.sensor('A', { kind: 'frozen' });
      await sut.untilState('FAULT', 30_000);

      expect(sut.events.filter((e) => e.event.kind === 'LOP_MEASURED')).toHaveLength(1);
      expect(sut.alarmsRaised()).toContainEqual({ alarm: 'SENSOR_FAULT', action: 'deflate' });
    });
  });
});
