import request from 'supertest';

import { CUFF_TRANSPORT } from '../src/device-adapter/cuff-transport';
import { SessionSupervisor } from '../src/device-adapter/session/session-supervisor';
import type { SimTransport } from '../src/device-adapter/sim-transport';
import { VirtualTimers } from '../src/device-adapter/timers';
import { onScreeningDay, prescriptionRequest, SCREENED_ON } from './factories';
import { startTestApp, type TestApp } from './test-app';

export const BOTH_THIGHS = [
  { channel: 'A', site: { limb: 'thigh', side: 'left' } },
  { channel: 'B', site: { limb: 'thigh', side: 'right' } },
];

export interface ApprovedPlan {
  id: string;
  plan: { exercises: Array<{ exercise: { id: string }; site: { side: string }; dose: { pressure: { startMmHg: number; mmHg: number; lop: { mmHg: number; method: string } } } }> };
}

/**
 * The real app on the screening day with simulated cuffs on a virtual clock that starts at the
 * same instant, and the HTTP steps of a device session.
 */
export class SessionHarness {
  private constructor(
    readonly sut: TestApp,
    readonly timers: VirtualTimers,
    readonly transport: SimTransport,
    readonly supervisor: SessionSupervisor,
    readonly clinician: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<SessionHarness> {
    const timers = new VirtualTimers(Date.parse(`${SCREENED_ON}T09:30:00.000Z`));
    const sut = await startTestApp({ CUFF_SIM_DEVICES: '2', ...env }, { clock: onScreeningDay(), timers });
    return new SessionHarness(sut, timers, sut.app.get<SimTransport>(CUFF_TRANSPORT), sut.app.get(SessionSupervisor), await sut.tokenFor('clinician', { subject: 'dr-lee' }));
  }

  close(): Promise<void> {
    return this.sut.close();
  }

  post(path: string, body?: unknown, token = this.clinician) {
    const req = request(this.sut.http).post(path).auth(token, { type: 'bearer' });
    return body === undefined ? req : req.send(body as object);
  }

  get(path: string, token = this.clinician) {
    return request(this.sut.http).get(path).auth(token, { type: 'bearer' });
  }

  /**
   * Lets virtual time run while an HTTP request is in flight (a self-test or LOP search takes
   * virtual seconds); returns the response, the virtual time it took and the virtual instant it came.
   */
  async whileRunning(
    pending: PromiseLike<request.Response>,
    { timeoutMs = 120_000, stepMs = 50 }: { timeoutMs?: number; stepMs?: number } = {},
  ): Promise<request.Response & { virtualMs: number; answeredAt: number }> {
    let response: request.Response | undefined;
    let failure: unknown;
    const settled = Promise.resolve(pending).then(
      (r) => (response = r),
      (e: unknown) => (failure = e ?? new Error('request failed')),
    );
    const virtualMs = await this.timers.advanceUntil(() => response !== undefined || failure !== undefined, { timeoutMs, stepMs, realPauseMs: 1 });
    await settled;
    if (failure) {
      throw failure;
    }
    return Object.assign(response as request.Response, { virtualMs, answeredAt: this.timers.now() });
  }

  async approvedPlan(body = prescriptionRequest()): Promise<ApprovedPlan> {
    const draft = (await this.post('/v1/prescriptions', body).expect(201)).body;
    const acknowledgements = draft.plan.cautions.map((c: { id: string }) => ({ caution: c.id }));
    return (await this.post(`/v1/prescriptions/${draft.id}/approve`, { acknowledgements }).expect(200)).body;
  }

  push(prescriptionId: string, body: unknown = { deviceId: 'cuff-1', cuffs: BOTH_THIGHS }, stepMs?: number) {
    return this.whileRunning(this.post(`/v1/prescriptions/${prescriptionId}/device-sessions`, body), { stepMs });
  }

  /** Advances virtual time until the session is no longer supervised, then a second more for the writes. */
  async runToEnd(sessionId: string, timeoutMs = 60 * 60_000): Promise<void> {
    await this.timers.advanceUntil(() => !this.supervisor.session(sessionId), { timeoutMs, stepMs: 1000 });
    await this.timers.advance(1000);
  }

  /** A started session of a freshly approved plan, run until its first set is being held. */
  async holdingSession(deviceId = 'cuff-1'): Promise<{ id: string; plan: ApprovedPlan }> {
    const plan = await this.approvedPlan();
    const session = (await this.push(plan.id, { deviceId, cuffs: BOTH_THIGHS })).body;
    await this.post(`/v1/device-sessions/${session.id}/start`).expect(200);
    await this.timers.advanceUntil(() => this.transport.sim(deviceId).state === 'HOLDING', { timeoutMs: 60_000, stepMs: 100 });
    return { id: session.id, plan };
  }
}
