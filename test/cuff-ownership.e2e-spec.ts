import { DataSource } from 'typeorm';

import { BOTH_THIGHS, SessionHarness } from './device-session-harness';
import { prescriptionRequest } from './factories';

const LEFT_THIGH = {
  patientRef: 'mrn-south-7',
  channel: 'A',
  site: { limb: 'thigh', side: 'left' },
  cuffWidthCm: 11.5,
  posture: 'supine',
};

type Device = { deviceId: string };

/** Two simulated cuffs: cuff-1 of the development organization (clinic-north, by default), cuff-2 given to clinic-south. */
describe('cuffs belong to an organization', () => {
  let harness: SessionHarness;
  let south: string;

  beforeAll(async () => {
    harness = await SessionHarness.start({ CUFF_ORGANIZATIONS: 'cuff-2:clinic-south' });
    south = await harness.sut.tokenFor('clinician', { tenant: 'clinic-south', subject: 'dr-south' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it("lists each organization's own cuffs only", async () => {
    const north = (await harness.get('/v1/devices').expect(200)).body.items as Device[];
    const southern = (await harness.get('/v1/devices', south).expect(200)).body.items as Device[];
    expect(north.map((d) => d.deviceId)).toEqual(['cuff-1']);
    expect(southern.map((d) => d.deviceId)).toEqual(['cuff-2']);
  });

  it("answers 404 to an LOP measurement on another organization's cuff, and sends it nothing", async () => {
    const sent = jest.spyOn(harness.simulator, 'send');
    try {
      const res = await harness.post('/v1/devices/cuff-1/lop-measurements', LEFT_THIGH, south).expect(404);
      expect(res.body).toMatchObject({
        code: 'DEVICE_NOT_FOUND',
        detail: expect.stringContaining('No cuff with id cuff-1 is known'),
      });
      expect(sent).not.toHaveBeenCalled();
    } finally {
      sent.mockRestore();
    }
    expect(harness.cuff('cuff-1').state).toBe('IDLE');
    const [{ n }] = await harness.sut.app.get(DataSource).query('SELECT COUNT(*) AS n FROM lop_measurements');
    expect(Number(n)).toBe(0);
  });

  it("answers 404 to a plan pushed to another organization's cuff, and pushes it to its own", async () => {
    const plan = await harness.approvedPlan(
      prescriptionRequest({ patient: { ...prescriptionRequest().patient, ref: 'mrn-south-7' } }),
    );
    const ownPlan = (await harness.post('/v1/prescriptions', prescriptionRequest(), south).expect(201)).body;
    const acknowledgements = ownPlan.plan.cautions.map((c: { id: string }) => ({ caution: c.id }));
    await harness.post(`/v1/prescriptions/${ownPlan.id}/approve`, { acknowledgements }, south).expect(200);

    const refused = await harness.whileRunning(
      harness.post(
        `/v1/prescriptions/${ownPlan.id}/device-sessions`,
        { deviceId: 'cuff-1', cuffs: BOTH_THIGHS },
        south,
      ),
    );
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('DEVICE_NOT_FOUND');

    const pushed = await harness.whileRunning(
      harness.post(
        `/v1/prescriptions/${ownPlan.id}/device-sessions`,
        { deviceId: 'cuff-2', cuffs: BOTH_THIGHS },
        south,
      ),
    );
    expect(pushed.status).toBe(201);
    // clinic-north's clinician neither sees clinic-south's session nor can use its cuff.
    expect((await harness.get(`/v1/device-sessions/${pushed.body.id}`).expect(404)).body.code).toBe(
      'DEVICE_SESSION_NOT_FOUND',
    );
    expect((await harness.get(`/v1/device-sessions/${pushed.body.id}/telemetry`).expect(404)).body.code).toBe(
      'DEVICE_SESSION_NOT_FOUND',
    );
    expect(
      (
        await harness
          .post(`/v1/prescriptions/${plan.id}/device-sessions`, { deviceId: 'cuff-2', cuffs: BOTH_THIGHS })
          .expect(404)
      ).body.code,
    ).toBe('DEVICE_NOT_FOUND');
    await harness.post(`/v1/device-sessions/${pushed.body.id}/abort`, undefined, south).expect(200);
  });
});
