import request from 'supertest';

import { CUFF_TRANSPORT, type CuffTransport } from '../src/device-adapter/cuff-transport';
import { CuffGateway } from '../src/cuff-sim/cuff-gateway';
import type { MqttTransport } from '../src/device-adapter/mqtt/mqtt-transport';
import { SessionSupervisor } from '../src/device-session/session-supervisor';
import type { CuffSim, CuffSimOptions } from '../src/cuff-sim/cuff-sim';
import { SimTransport } from '../src/cuff-sim/sim-transport';
import { VirtualTimers } from '../src/device-adapter/timers';
import { onScreeningDay, prescriptionRequest, SCREENED_ON } from './factories';
import { CLINIC, startTestApp, type TestApp } from './test-app';

export const BOTH_THIGHS = [
  { channel: 'A', site: { limb: 'thigh', side: 'left' } },
  { channel: 'B', site: { limb: 'thigh', side: 'right' } },
];

/** Over MQTT, virtual time waits for telemetry older than this, up to a few real milliseconds a step. */
const TELEMETRY_LAG_MS = 1000;
const MAX_CATCH_UP_MS = 20;

export interface ApprovedPlan {
  id: string;
  plan: {
    exercises: Array<{
      exercise: { id: string };
      site: { side: string };
      dose: {
        pressure: {
          startMmHg: number;
          mmHg: number;
          ramp: Array<{ lopPercent: number; mmHg: number }>;
          lop: { mmHg: number; method: string };
        };
      };
    }>;
  };
}

/**
 * The real app on the screening day with simulated cuffs on a virtual clock that starts at the
 * same instant, and the HTTP steps of a device session. The cuffs run in process behind the
 * simulator transport, or behind a gateway over the embedded MQTT broker; virtual time then steps
 * with a real millisecond between steps so broker round trips keep pace.
 */
export class SessionHarness {
  private constructor(
    readonly sut: TestApp,
    readonly timers: VirtualTimers,
    readonly transport: CuffTransport,
    readonly supervisor: SessionSupervisor,
    readonly clinician: string,
    private readonly gateway: CuffGateway | null,
  ) {
    transport.telemetry$.subscribe((t) => (this.lastTelemetryAt = Math.max(this.lastTelemetryAt, Date.parse(t.at))));
  }

  private lastTelemetryAt = 0;

  static async start(env: Record<string, string> = {}): Promise<SessionHarness> {
    const timers = new VirtualTimers(Date.parse(`${SCREENED_ON}T09:30:00.000Z`));
    const sut = await startTestApp({ CUFF_SIM_DEVICES: '2', ...env }, { clock: onScreeningDay(), timers });
    return new SessionHarness(
      sut,
      timers,
      sut.app.get(CUFF_TRANSPORT),
      sut.app.get(SessionSupervisor),
      await sut.tokenFor('clinician', { subject: 'dr-lee' }),
      null,
    );
  }

  /** The app on the MQTT transport with its embedded broker, and a clinic gateway with these cuffs. */
  static async startMqtt(gatewayId: string, devices: CuffSimOptions[]): Promise<SessionHarness> {
    const timers = new VirtualTimers(Date.parse(`${SCREENED_ON}T09:30:00.000Z`));
    const sut = await startTestApp(
      {
        CUFF_TRANSPORT: 'mqtt',
        MQTT_BROKER_PORT: '0',
        MQTT_SITE: 'e2e',
        MQTT_GATEWAY_ORGANIZATIONS: `${gatewayId}:${CLINIC}`,
      },
      { clock: onScreeningDay(), timers },
    );
    const transport = sut.app.get<MqttTransport>(CUFF_TRANSPORT);
    const gateway = new CuffGateway({
      url: transport.brokerUrl as string,
      site: sut.config.cuffs.mqtt.site,
      gatewayId,
      devices,
      timers,
    });
    await gateway.start();
    const harness = new SessionHarness(
      sut,
      timers,
      transport,
      sut.app.get(SessionSupervisor),
      await sut.tokenFor('clinician', { subject: 'dr-lee' }),
      gateway,
    );
    await harness.advanceUntil(() => transport.devices().filter((d) => d.online).length === devices.length, 5000);
    return harness;
  }

  /** The simulator transport, for its link switches. */
  get simulator(): SimTransport {
    if (!(this.transport instanceof SimTransport)) {
      throw new Error('this harness runs the MQTT transport');
    }
    return this.transport;
  }

  /** The simulated cuff, wherever it runs: to read its true pressure or inject a fault. */
  cuff(deviceId: string): CuffSim {
    return this.gateway ? this.gateway.sim(deviceId) : this.simulator.sim(deviceId);
  }

  /** The gateway the cuffs sit behind, on MQTT. */
  get clinicGateway(): CuffGateway {
    if (!this.gateway) {
      throw new Error('this harness runs the simulator transport');
    }
    return this.gateway;
  }

  /**
   * Advances virtual time until `done`, in steps; throws when it still does not hold after
   * `timeoutMs`. Returns the virtual time it took.
   */
  async advanceUntil(
    done: () => boolean,
    timeoutMs: number,
    stepMs = 100,
    realPause = this.gateway !== null,
  ): Promise<number> {
    const start = this.timers.now();
    while (!done()) {
      if (this.timers.now() - start >= timeoutMs) {
        throw new Error(`condition not reached within ${timeoutMs} ms of virtual time`);
      }
      await this.step(Math.min(stepMs, start + timeoutMs - this.timers.now()), realPause);
    }
    return this.timers.now() - start;
  }

  /** Lets `ms` of virtual time pass. */
  async run(ms: number): Promise<void> {
    const end = this.timers.now() + ms;
    while (this.timers.now() < end) {
      await this.step(Math.min(100, end - this.timers.now()), this.gateway !== null);
    }
  }

  /**
   * One step of virtual time, and with `realPause` a real millisecond for I/O (HTTP, database,
   * broker). Over MQTT the broker's round trips take real time: the step then also waits, a
   * little, for the cuffs' telemetry, so that virtual time does not run ahead of the messages (a
   * lost link makes it stop waiting).
   */
  private async step(ms: number, realPause: boolean): Promise<void> {
    await this.timers.advance(ms);
    for (
      let waited = 0;
      this.gateway && waited < MAX_CATCH_UP_MS && this.timers.now() - this.lastTelemetryAt > TELEMETRY_LAG_MS;
      waited += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    if (realPause) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  async close(): Promise<void> {
    await this.gateway?.stop();
    await this.sut.close();
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
    const virtualMs = await this.advanceUntil(
      () => response !== undefined || failure !== undefined,
      timeoutMs,
      stepMs,
      true,
    );
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

  push(prescriptionId: string, body: unknown = { deviceId: 'cuff-1', cuffs: BOTH_THIGHS }) {
    return this.whileRunning(this.post(`/v1/prescriptions/${prescriptionId}/device-sessions`, body));
  }

  /** Advances virtual time until the session is no longer supervised, then a second more for the writes. */
  async runToEnd(sessionId: string, timeoutMs = 60 * 60_000): Promise<void> {
    await this.advanceUntil(() => !this.supervisor.session(sessionId), timeoutMs, this.gateway ? 250 : 1000);
    await this.run(1000);
  }

  /** A started session of a freshly approved plan, run until its first set is being held. */
  async holdingSession(deviceId = 'cuff-1'): Promise<{ id: string; plan: ApprovedPlan }> {
    const plan = await this.approvedPlan();
    const session = (await this.push(plan.id, { deviceId, cuffs: BOTH_THIGHS })).body;
    await this.post(`/v1/device-sessions/${session.id}/start`).expect(200);
    await this.advanceUntil(() => this.cuff(deviceId).state === 'HOLDING', 60_000);
    return { id: session.id, plan };
  }
}
