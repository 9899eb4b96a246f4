import { DEVICE_LIMITS } from '../src/device-adapter/device-limits';
import { BOTH_THIGHS, SessionHarness } from './device-session-harness';
import { prescriptionLimb, prescriptionRequest } from './factories';

const CUFF = 'gw-clinic-cuff-1';
/** Broker round trips pace the virtual clock: a seven-minute session takes several real seconds. */
const REAL_TIME_MS = 60_000;

/**
 * The whole flow over MQTT: the app's MQTT transport and its embedded aedes broker, and a clinic
 * gateway in process with a simulated cuff behind it, all on one virtual clock.
 */
describe('device sessions over MQTT through a clinic gateway', () => {
  let harness: SessionHarness;

  beforeAll(async () => {
    harness = await SessionHarness.startMqtt('gw-clinic', [{ deviceId: CUFF, lopMmHg: { A: 186, B: 204 }, seed: 7 }]);
  });

  afterAll(async () => {
    await harness.close();
  });

  it(
    'measures the LOP, prescribes from it, pushes the approved plan, runs the session and records it',
    async () => {
      const devices = (await harness.get('/v1/devices').expect(200)).body;
      expect(devices).toMatchObject({
        transport: 'mqtt',
        items: [{ deviceId: CUFF, online: true, gatewayId: 'gw-clinic', channels: ['A', 'B'] }],
      });

      const measured = await harness.whileRunning(
        harness.post(`/v1/devices/${CUFF}/lop-measurements`, {
          patientRef: 'mrn-1001',
          channel: 'A',
          site: { limb: 'thigh', side: 'left' },
          cuffWidthCm: 11.5,
          posture: 'supine',
        }),
      );
      expect(measured.status).toBe(201);
      expect(Math.abs(measured.body.mmHg - 186)).toBeLessThanOrEqual(10);

      const plan = await harness.approvedPlan(
        prescriptionRequest({
          limbs: [prescriptionLimb('left', null, { lop: [measured.body.lop] }), prescriptionLimb('right', 200)],
        }),
      );
      const pushed = await harness.push(plan.id, { deviceId: CUFF, cuffs: BOTH_THIGHS });
      expect(pushed.status).toBe(201);
      const session = pushed.body;
      expect(session.program.cuffs[0]).toMatchObject({ channel: 'A', lopMmHg: measured.body.mmHg });
      // The LOP measurement left the cuff self-tested and ready: the program goes straight on.
      expect(session.events.map((e: { summary: string }) => e.summary.split(' ')[0])).toEqual(['PUSH_PROGRAM']);

      await harness.post(`/v1/device-sessions/${session.id}/start`).expect(200);
      await harness.runToEnd(session.id);

      const record = (await harness.get(`/v1/device-sessions/${session.id}`).expect(200)).body;
      expect(record).toMatchObject({ status: 'completed', deviceState: 'DONE' });
      const block = session.program.blocks[0];
      expect(record.sets.filter((s: { phase: string }) => s.phase === 'work')).toHaveLength(block.sets.length);
      for (const set of record.sets) {
        expect(Math.abs(set.meanMmHg - block.targetMmHg)).toBeLessThan(DEVICE_LIMITS.windowMmHg);
      }
      expect(record.adherence.adherence).toBeGreaterThan(0.8);
      expect(record.alarms.filter((a: { action: string }) => a.action === 'deflated')).toEqual([]);
      expect(record.events.map((e: { summary: string }) => e.summary)).toContain('Program completed');
    },
    REAL_TIME_MS,
  );

  it(
    "loses the gateway while the cuff is inflated: the broker's Last Will ends the session with an alarm, and the cuff deflates on its own",
    async () => {
      const plan = await harness.approvedPlan();
      const session = (await harness.push(plan.id, { deviceId: CUFF, cuffs: BOTH_THIGHS })).body;
      await harness.post(`/v1/device-sessions/${session.id}/start`).expect(200);
      const sim = harness.cuff(CUFF);
      await harness.advanceUntil(() => sim.state === 'HOLDING', 60_000);

      await harness.clinicGateway.cutLink();
      const cutAt = harness.timers.now();
      const deflatingAfter = await harness.advanceUntil(() => sim.state === 'ALARM_DEFLATING', 10_000);
      expect(deflatingAfter).toBeLessThanOrEqual(DEVICE_LIMITS.watchdogMs + 100);
      await harness.advanceUntil(() => sim.pressure('A') <= DEVICE_LIMITS.deflatedMmHg, 5000);
      expect(harness.supervisor.session(session.id)).toBeUndefined();

      const record = (await harness.get(`/v1/device-sessions/${session.id}`).expect(200)).body;
      expect(record.status).toBe('aborted');
      expect(Date.parse(record.endedAt) - cutAt).toBeLessThanOrEqual(DEVICE_LIMITS.telemetryStaleMs + 100);
      expect(record.alarms[0]).toMatchObject({
        source: 'server',
        action: 'deflated',
        code: expect.stringMatching(/^(TELEMETRY_LOST|DEVICE_OFFLINE)$/),
      });
      await harness.clinicGateway.restoreLink();
    },
    REAL_TIME_MS,
  );
});
