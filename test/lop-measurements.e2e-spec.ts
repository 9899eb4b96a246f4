import { DataSource } from 'typeorm';

import { DEVICE_LIMITS } from '../src/device-adapter/device-limits';
import { LopMeasurement } from '../src/prescription/prescription-request.schema';
import { BOTH_THIGHS, SessionHarness } from './device-session-harness';
import { prescriptionLimb, prescriptionRequest, SCREENED_ON } from './factories';

const LEFT_THIGH = {
  patientRef: 'mrn-1001',
  channel: 'A',
  site: { limb: 'thigh', side: 'left' },
  cuffWidthCm: 11.5,
  posture: 'supine',
};

describe('POST /v1/devices/{id}/lop-measurements', () => {
  let harness: SessionHarness;

  beforeAll(async () => {
    // The simulated patient's LOP under the cuffs: 186 mmHg on channel A, 204 on B.
    harness = await SessionHarness.start({ CUFF_SIM_LOP_MMHG: '186,204' });
  });

  afterAll(async () => {
    await harness.close();
  });

  const measure = (deviceId: string, body: unknown) =>
    harness.whileRunning(harness.post(`/v1/devices/${deviceId}/lop-measurements`, body));

  it('measures the LOP with the cuff, stores it with its provenance, and a prescription takes it as measured', async () => {
    const res = await measure('cuff-1', LEFT_THIGH);
    expect(res.status).toBe(201);
    const measurement = res.body;
    expect(measurement).toMatchObject({
      patientRef: 'mrn-1001',
      deviceId: 'cuff-1',
      channel: 'A',
      site: { limb: 'thigh', side: 'left' },
      cuffWidthCm: 11.5,
      posture: 'supine',
      method: 'device',
      measuredBy: 'dr-lee',
      measuredAt: expect.stringMatching(new RegExp(`^${SCREENED_ON}T`)),
    });
    expect(Math.abs(measurement.mmHg - 186)).toBeLessThanOrEqual(10);
    expect(measurement.confidence).toBeGreaterThan(0);
    expect(measurement.beatsUsed).toBeGreaterThan(0);
    expect(LopMeasurement.parse(measurement.lop)).toEqual({
      mmHg: measurement.mmHg,
      method: 'automatic-cuff',
      position: 'supine',
      cuffWidthCm: 11.5,
      measuredOn: SCREENED_ON,
      device: `cuff cuff-1 channel A, measurement ${measurement.id}`,
    });
    const [row] = await harness.sut.app
      .get(DataSource)
      .query('SELECT * FROM lop_measurements WHERE id = $1', [measurement.id]);
    expect(row).toMatchObject({
      tenant: 'clinic-north',
      patient_ref: 'mrn-1001',
      device_id: 'cuff-1',
      channel: 'A',
      limb: 'thigh',
      side: 'left',
      posture: 'supine',
      mmhg: measurement.mmHg,
      measured_by: 'dr-lee',
    });
    expect(Number(row.cuff_width_cm)).toBe(11.5);
    // The answer comes once the cuff has let the air out after the search.
    expect(harness.cuff('cuff-1').state).toBe('READY');
    expect(Math.max(harness.cuff('cuff-1').pressure('A'), harness.cuff('cuff-1').pressure('B'))).toBeLessThanOrEqual(
      DEVICE_LIMITS.deflatedMmHg,
    );

    // The clinician puts the measurement in the prescription request: the plan doses from it.
    const body = prescriptionRequest({
      limbs: [prescriptionLimb('left', null, { lop: [measurement.lop] }), prescriptionLimb('right', 200)],
    });
    const draft = (await harness.post('/v1/prescriptions', body).expect(201)).body;
    const left = draft.plan.exercises.filter((e: { site: { side: string } }) => e.site.side === 'left');
    expect(left.length).toBeGreaterThan(0);
    for (const exercise of left) {
      expect(exercise.dose.pressure.lop).toMatchObject({
        mmHg: measurement.mmHg,
        source: 'measured',
        method: 'automatic-cuff',
        position: 'supine',
        cuffWidthCm: 11.5,
        measuredOn: SCREENED_ON,
      });
    }
    const acknowledgements = draft.plan.cautions.map((c: { id: string }) => ({ caution: c.id }));
    await harness.post(`/v1/prescriptions/${draft.id}/approve`, { acknowledgements }).expect(200);
    const session = (await harness.push(draft.id)).body;
    expect(session.program.cuffs[0]).toMatchObject({
      channel: 'A',
      lopMmHg: measurement.mmHg,
      lopPosture: 'supine',
      cuffWidthCm: 11.5,
    });
    expect((await measure('cuff-1', LEFT_THIGH)).body.code).toBe('DEVICE_BUSY');
    await harness.post(`/v1/device-sessions/${session.id}/abort`).expect(200);
  });

  it('refuses a measurement while the cuff still lets the air out of an aborted session, saying to try again in seconds, and measures once it is at rest', async () => {
    const plan = await harness.approvedPlan(
      prescriptionRequest({ limbs: [prescriptionLimb('left', 190), prescriptionLimb('right', 200)] }),
    );
    const session = (await harness.push(plan.id, { deviceId: 'cuff-2', cuffs: BOTH_THIGHS })).body;
    await harness.post(`/v1/device-sessions/${session.id}/start`).expect(200);
    await harness.advanceUntil(() => harness.cuff('cuff-2').state === 'HOLDING', 60_000);
    await harness.post(`/v1/device-sessions/${session.id}/abort`).expect(200);
    expect(harness.cuff('cuff-2').state).toBe('DEFLATING');

    const refused = await harness.post('/v1/devices/cuff-2/lop-measurements', LEFT_THIGH).expect(409);
    expect(refused.body).toMatchObject({
      code: 'DEVICE_BUSY',
      detail:
        'Cuff cuff-2 is still letting the air out after its last use (DEFLATING); try again in a few seconds, once it is at rest.',
    });
    const busy = async () =>
      (await harness.get('/v1/devices').expect(200)).body.items.find(
        (d: { deviceId: string }) => d.deviceId === 'cuff-2',
      ).busy;
    expect(await busy()).toBe(true);
    const waited = await harness.advanceUntil(() => harness.cuff('cuff-2').state === 'ABORTED', 15_000);
    expect(waited).toBeLessThanOrEqual(10_000);
    expect(await busy()).toBe(false);
    expect((await measure('cuff-2', LEFT_THIGH)).status).toBe(201);
  });

  it('validates the request and the cuff', async () => {
    const invalid = await harness
      .post('/v1/devices/cuff-2/lop-measurements', { ...LEFT_THIGH, posture: 'kneeling', extra: 1 })
      .expect(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'posture']);
    expect((await harness.post('/v1/devices/cuff-9/lop-measurements', LEFT_THIGH).expect(404)).body.code).toBe(
      'DEVICE_NOT_FOUND',
    );
    expect(
      (await harness.post('/v1/devices/cuff 9/lop-measurements', LEFT_THIGH).expect(400)).body.errors[0],
    ).toMatchObject({ in: 'path', field: 'id' });
  });
});

describe('an LOP above the search ceiling', () => {
  let harness: SessionHarness;

  beforeAll(async () => {
    harness = await SessionHarness.start({ CUFF_SIM_LOP_MMHG: '300,300' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('answers 422 LOP_NOT_FOUND saying why and what to do, stores nothing, and leaves the cuff deflated', async () => {
    const res = await harness.whileRunning(harness.post('/v1/devices/cuff-2/lop-measurements', LEFT_THIGH));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      code: 'LOP_NOT_FOUND',
      reason: 'LOP_NOT_FOUND',
      searchCeilingMmHg: DEVICE_LIMITS.lopSearchCeilingMmHg,
    });
    expect(res.body.detail).toContain('280 mmHg search ceiling');
    expect(res.body.detail).toContain('wider cuff');
    const [{ n }] = await harness.sut.app.get(DataSource).query('SELECT COUNT(*) AS n FROM lop_measurements');
    expect(Number(n)).toBe(0);
    await harness.timers.advance(5000);
    expect(harness.cuff('cuff-2').pressure('A')).toBeLessThanOrEqual(DEVICE_LIMITS.deflatedMmHg);
  });
});

describe('cuff list', () => {
  let harness: SessionHarness;

  beforeAll(async () => {
    harness = await SessionHarness.start();
  });

  afterAll(async () => {
    await harness.close();
  });

  it('lists every cuff with presence and state, and marks the one running a session', async () => {
    const before = (await harness.get('/v1/devices').expect(200)).body;
    expect(
      before.items.map((d: { deviceId: string; online: boolean; busy: boolean }) => [d.deviceId, d.online, d.busy]),
    ).toEqual([
      ['cuff-1', true, false],
      ['cuff-2', true, false],
    ]);
    const plan = await harness.approvedPlan();
    const session = (await harness.push(plan.id, { deviceId: 'cuff-2', cuffs: BOTH_THIGHS })).body;
    const during = (await harness.get('/v1/devices').expect(200)).body;
    expect(during.items[1]).toMatchObject({
      deviceId: 'cuff-2',
      state: 'PROGRAM_LOADED',
      busy: true,
      sessionId: session.id,
    });
    harness.simulator.cutLink('cuff-1');
    await harness.timers.advance(3500);
    expect((await harness.get('/v1/devices').expect(200)).body.items[0]).toMatchObject({
      deviceId: 'cuff-1',
      online: false,
    });
    harness.simulator.restoreLink('cuff-1');
  });
});
