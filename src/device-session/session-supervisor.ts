import { filter, type Subscription } from 'rxjs';

import { DomainError, ErrorCode } from '../common/problem';
import { type CuffProgram, type Channel, type Posture, programSha256 } from '../device-adapter/cuff-program';
import { type CuffTransport, type DeviceInfo, DeviceNoAckError } from '../device-adapter/cuff-transport';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { Ack, Command, DeviceEvent, LopResult } from '../device-adapter/protocol';
import type { Timers } from '../device-adapter/timers';
import type { CuffLeases } from './cuff-leases';
import { DEFLATING, isAtRest, TESTED } from './cuff-states';
import { deviceFailure, deviceRejection } from './device-failure';
import { journalEntry } from './journal-entries';
import type { JournalEvent, SessionJournal } from './session-journal';
import { SupervisedSession } from './supervised-session';

/** The cuff reports its self-test result after inflating, holding 10 s and deflating. */
const SELF_TEST_DEADLINE_MS = (DEVICE_LIMITS.selfTest.holdS + DEVICE_LIMITS.inflateTimeoutS + 15) * 1000;
/** The cuff gives up a LOP search after 60 s; its result then takes a moment more. */
const LOP_DEADLINE_MS = (DEVICE_LIMITS.lopSearchTimeoutS + 15) * 1000;
/** A cuff dumps from the 280 mmHg search ceiling in a few seconds. */
const DEFLATED_DEADLINE_MS = 15_000;
/** A waiter for one cuff event, set up before the command that causes it is sent. */
interface EventWait {
  result: Promise<DeviceEvent>;
  cancel(): void;
}

/**
 * Owns every exchange with the cuffs on the server side: the ack deadline of each command (SR-11),
 * preparing a cuff for a session (self-test when due, then the program push, SR-12, SR-14), LOP
 * measurements, and the sessions under supervision. One cuff does one thing at a time, for one
 * replica at a time: the cuff's lease, whose epoch every command and journal write carries.
 */
export class SessionSupervisor {
  private readonly sessions = new Map<string, SupervisedSession>();
  private readonly reserved = new Map<string, string>();

  constructor(
    private readonly transport: CuffTransport,
    private readonly timers: Timers,
    private readonly journal: SessionJournal,
    private readonly leases: CuffLeases | null = null,
  ) {}

  devices(): DeviceInfo[] {
    return this.transport.devices();
  }

  /** The cuff, online; refused (404, 409) otherwise. */
  device(deviceId: string): DeviceInfo {
    const device = this.transport.devices().find((d) => d.deviceId === deviceId);
    if (!device) {
      throw new DomainError(
        ErrorCode.DeviceNotFound,
        `No cuff with id ${deviceId} is known. GET /v1/devices lists the cuffs the service can reach.`,
      );
    }
    if (!device.online) {
      throw new DomainError(
        ErrorCode.DeviceOffline,
        `Cuff ${deviceId} is offline, so nothing was sent. Check that it is switched on and in range of its gateway.`,
      );
    }
    return device;
  }

  session(sessionId: string): SupervisedSession | undefined {
    return this.sessions.get(sessionId);
  }

  /** The session the cuff is running, if any. */
  sessionOn(deviceId: string): SupervisedSession | undefined {
    return [...this.sessions.values()].find((s) => s.spec.deviceId === deviceId);
  }

  /**
   * Sends a command and waits for its ack on the supervisor's own clock (SR-11): no ack within
   * 2 s is a failure, whatever the transport does.
   */
  send(deviceId: string, command: Command): Promise<Ack> {
    return new Promise<Ack>((resolve, reject) => {
      const deadline = this.timers.setTimeout(
        () => reject(new DeviceNoAckError(deviceId, command.type, 'supervisor-deadline', DEVICE_LIMITS.ackDeadlineMs)),
        DEVICE_LIMITS.ackDeadlineMs,
      );
      this.transport.send(deviceId, command, this.leases?.lease(deviceId)?.epoch).then(
        (ack) => {
          this.timers.clearTimeout(deadline);
          resolve(ack);
        },
        (error: unknown) => {
          this.timers.clearTimeout(deadline);
          reject(error);
        },
      );
    });
  }

  isReserved(deviceId: string): boolean {
    return this.reserved.has(deviceId);
  }

  /**
   * Keeps the cuff for one task, `sessionId` being the session it prepares; refused while it runs
   * a session or another task, here or through another replica (its lease). The release gives
   * the lease back unless a session on the cuff is now supervised.
   */
  async reserve(deviceId: string, task: string, sessionId: string | null = null): Promise<() => void> {
    const session = this.sessionOn(deviceId);
    if (session) {
      throw new DomainError(
        ErrorCode.DeviceBusy,
        `Cuff ${deviceId} is running device session ${session.id}; finish or deflate it first.`,
      );
    }
    const other = this.reserved.get(deviceId);
    if (other) {
      throw new DomainError(ErrorCode.DeviceBusy, `Cuff ${deviceId} is busy: ${other}.`);
    }
    this.reserved.set(deviceId, task);
    const lease = await this.leases?.claim(deviceId, sessionId).catch((error: unknown) => {
      this.reserved.delete(deviceId);
      throw error;
    });
    if (lease === null) {
      this.reserved.delete(deviceId);
      throw new DomainError(
        ErrorCode.DeviceBusy,
        `Cuff ${deviceId} is in use through another instance of the service; finish or deflate it there first.`,
      );
    }
    return () => {
      this.reserved.delete(deviceId);
      if (!this.sessionOn(deviceId)) {
        void this.leases?.release(deviceId).catch(() => undefined);
      }
    };
  }

  /**
   * Stops supervising the cuff's session at once, without a command or a write: its lease was
   * lost, so another replica may have taken it over and the cuff now refuses this one's epoch.
   */
  relinquish(deviceId: string): void {
    this.sessionOn(deviceId)?.relinquish();
  }

  /**
   * Readies the cuff and loads the program: clears a fault and self-tests when the cuff has not
   * passed a self-test since its last program (SR-14), then pushes the program and checks that
   * the cuff echoes its hash. Returns the log of what was done, for the session's events. On any
   * failure the cuff is told to deflate and nothing is kept.
   */
  async prepare(deviceId: string, program: CuffProgram, actor: string, elapsed: () => number): Promise<JournalEvent[]> {
    const log: JournalEvent[] = [];
    const now = () => ({ at: new Date(this.timers.now()), elapsedMs: elapsed() });
    const record = (command: Command, ack: Ack) => log.push(journalEntry.command(now(), actor, command, ack));
    try {
      await this.ready(deviceId, record, (event) => log.push(journalEntry.deviceEvent(now(), event)));
      const sha256 = programSha256(program);
      const push: Command = { type: 'PUSH_PROGRAM', body: { programId: program.programId, sha256, program } };
      const ack = await this.exchange(deviceId, push, record);
      if (ack.programSha256 !== sha256) {
        throw deviceRejection(
          deviceId,
          'PUSH_PROGRAM',
          ack,
          `the cuff holds a program with hash ${ack.programSha256 ?? 'none'}, not the one sent (${sha256})`,
        );
      }
      return log;
    } catch (error) {
      void this.send(deviceId, { type: 'ABORT', body: {} }).catch(() => undefined);
      throw deviceFailure(error);
    }
  }

  /** Starts supervising a session whose program the cuff holds. */
  supervise(spec: SupervisedSession['spec']): SupervisedSession {
    this.journal.fence(spec.sessionId, this.leases?.fenceOf(spec.deviceId) ?? null);
    const session = new SupervisedSession(
      spec,
      this.transport,
      this.timers,
      this.journal,
      (id, command) => this.send(id, command),
      (ended) => {
        this.sessions.delete(ended.id);
        void this.leases?.release(ended.spec.deviceId).catch(() => undefined);
      },
    );
    this.sessions.set(spec.sessionId, session);
    session.begin();
    return session;
  }

  /**
   * Measures the LOP with the cuff (MEASURE_LOP, SR-3: the search stops at 280 mmHg) and returns
   * the cuff's result, found or not. A lost cuff or a result that does not come in time fails
   * the measurement and the cuff is told to deflate.
   */
  async measureLop(deviceId: string, channel: Channel, posture: Posture): Promise<LopResult> {
    const release = await this.reserve(deviceId, 'measuring an LOP');
    const lost = this.watchLink(deviceId);
    try {
      await Promise.race([
        this.ready(
          deviceId,
          () => undefined,
          () => undefined,
        ),
        lost.failed,
      ]);
      const wait = this.waitFor(
        deviceId,
        (e) => e.event.kind === 'LOP_MEASURED' && e.event.lop.channel === channel,
        LOP_DEADLINE_MS,
        'the LOP result',
      );
      // The cuff reports the LOP, then lets the air out: the answer waits until it is back at rest.
      const deflated = this.waitFor(
        deviceId,
        (e) => e.event.kind === 'STATE_CHANGED' && e.event.to === 'READY',
        LOP_DEADLINE_MS + DEFLATED_DEADLINE_MS,
        'that it deflated after the LOP search',
      );
      try {
        await Promise.race([
          this.exchange(deviceId, { type: 'MEASURE_LOP', body: { channel, posture } }, () => undefined),
          lost.failed,
        ]);
      } catch (error) {
        wait.cancel();
        deflated.cancel();
        throw error;
      }
      const event = await Promise.race([wait.result, lost.failed]).catch((error: unknown) => {
        deflated.cancel();
        throw error;
      });
      if (event.state !== 'READY') {
        await Promise.race([deflated.result, lost.failed]);
      } else {
        deflated.cancel();
      }
      return (event.event as Extract<DeviceEvent['event'], { kind: 'LOP_MEASURED' }>).lop;
    } catch (error) {
      void this.send(deviceId, { type: 'DEFLATE', body: {} }).catch(() => undefined);
      throw deviceFailure(error);
    } finally {
      lost.stop();
      release();
    }
  }

  /**
   * Ends every session as aborted and tells its cuff to deflate: the service is stopping. Waits for
   * the records, not for the cuffs' answers: a cuff left without the service's heartbeat deflates
   * on its own within 5 s.
   */
  async stopAll(reason: string): Promise<void> {
    for (const session of this.sessions.values()) {
      void session.end('aborted', reason, true);
    }
    await this.journal.idle();
  }

  /** Brings the cuff to a tested state: clears a fault, then self-tests unless it already passed one. */
  private async ready(
    deviceId: string,
    record: (command: Command, ack: Ack) => void,
    observed: (event: DeviceEvent) => void,
  ): Promise<void> {
    let state = this.device(deviceId).state;
    if (!isAtRest(state)) {
      throw new DomainError(
        ErrorCode.DeviceBusy,
        state !== null && DEFLATING.includes(state)
          ? `Cuff ${deviceId} is still letting the air out after its last use (${state}); try again in a few seconds, once it is at rest.`
          : `Cuff ${deviceId} is ${state}; it must be deflated and at rest first.`,
      );
    }
    if (state === 'FAULT') {
      state = (await this.exchange(deviceId, { type: 'CLEAR_ALARM', body: {} }, record)).state;
    }
    if (state !== null && TESTED.includes(state)) {
      return;
    }
    const wait = this.waitFor(
      deviceId,
      (e) => e.event.kind === 'SELF_TEST_PASSED' || e.event.kind === 'SELF_TEST_FAILED',
      SELF_TEST_DEADLINE_MS,
      'the self-test result',
    );
    try {
      await this.exchange(deviceId, { type: 'SELF_TEST', body: {} }, record);
    } catch (error) {
      wait.cancel();
      throw error;
    }
    const result = await wait.result;
    observed(result);
    if (result.event.kind === 'SELF_TEST_FAILED') {
      throw new DomainError(
        ErrorCode.DeviceRejected,
        `Cuff ${deviceId} failed its self-test (${result.event.detail}); check the cuff and its tubing.`,
      );
    }
  }

  private async exchange(
    deviceId: string,
    command: Command,
    record: (command: Command, ack: Ack) => void,
  ): Promise<Ack> {
    const ack = await this.send(deviceId, command);
    record(command, ack);
    if (ack.result !== 'OK') {
      throw deviceRejection(deviceId, command.type, ack);
    }
    return ack;
  }

  private waitFor(
    deviceId: string,
    match: (event: DeviceEvent) => boolean,
    timeoutMs: number,
    what: string,
  ): EventWait {
    let subscription: Subscription | undefined;
    let timer: ReturnType<Timers['setTimeout']> | undefined;
    const stop = () => {
      subscription?.unsubscribe();
      this.timers.clearTimeout(timer);
    };
    const result = new Promise<DeviceEvent>((resolve, reject) => {
      subscription = this.transport.events$
        .pipe(filter((e) => e.deviceId === deviceId && match(e)))
        .subscribe((event) => {
          stop();
          resolve(event);
        });
      timer = this.timers.setTimeout(() => {
        stop();
        reject(
          new DomainError(
            ErrorCode.DeviceNoAck,
            `Cuff ${deviceId} did not report ${what} within ${timeoutMs / 1000} s. It has been told to deflate; check that it is deflated.`,
          ),
        );
      }, timeoutMs);
    });
    // Awaited later, or never once cancelled: a rejection before then is not an unhandled one.
    result.catch(() => undefined);
    return { result, cancel: stop };
  }

  /** Fails when the cuff goes offline or its telemetry stops for 3 s (SR-7). */
  private watchLink(deviceId: string): { failed: Promise<never>; stop(): void } {
    const subscriptions: Subscription[] = [];
    let timer: ReturnType<Timers['setTimeout']> | undefined;
    let fail!: (error: Error) => void;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => undefined);
    const lost = (why: string) =>
      fail(
        new DomainError(
          ErrorCode.DeviceOffline,
          `Cuff ${deviceId} was lost (${why}). It has been told to deflate; check that it is deflated.`,
        ),
      );
    const arm = () => {
      this.timers.clearTimeout(timer);
      timer = this.timers.setTimeout(
        () => lost(`no telemetry for ${DEVICE_LIMITS.telemetryStaleMs / 1000} s`),
        DEVICE_LIMITS.telemetryStaleMs,
      );
    };
    subscriptions.push(
      this.transport.telemetry$.pipe(filter((t) => t.deviceId === deviceId)).subscribe(arm),
      this.transport.presence$
        .pipe(filter((p) => p.deviceId === deviceId && !p.online))
        .subscribe(() => lost('it went offline')),
    );
    arm();
    return {
      failed,
      stop: () => {
        subscriptions.forEach((s) => s.unsubscribe());
        this.timers.clearTimeout(timer);
      },
    };
  }
}
