import { filter, Subject, type Subscription } from 'rxjs';

import { DomainError, ErrorCode } from '../common/problem';
import type { CuffTransport } from '../device-adapter/cuff-transport';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { Ack, Command, CuffState, DeviceEvent, Presence, Telemetry } from '../device-adapter/protocol';
import type { TimerHandle, Timers } from '../device-adapter/timers';
import type { SupervisorAlarmCode } from './alarm-codes';
import { AdherenceMeter } from './adherence-meter';
import type { DeviceSessionStatus } from './device-session.entity';
import { journalEntry } from './journal-entries';
import type { PressureTrace } from './pressure-statistics';
import type { SessionJournal } from './session-journal';
import { deviceFailure, deviceRejection, unconfirmedDeflation } from './device-failure';
import { sessionOutcomeOf } from './session-outcome';
import { checkWindow, type DeadlineWatch, trackInflation } from './session-deadlines';
import {
  ACTIVE_STATUSES,
  type CuffTracking,
  deflatedCuff,
  type LiveUpdate,
  type SendCommand,
  type SessionAlarm,
  type SessionSpec,
  type SessionSummary,
} from './session-types';

const COMPLETION_GRACE_MS = 2000;

/**
 * One session under supervision. The supervisor, not the transport, owns its deadlines: the ack
 * deadline of every command (SR-11), telemetry staleness (SR-7), each block's and the session's
 * inflation time (SR-4, SR-6), reperfusion (SR-5) and the pressure window (SR-8), all on the
 * injected clock. On any breach it records an alarm, tells the cuff to deflate and ends the
 * session as aborted. Its AdherenceMeter reduces telemetry to per-set statistics, time in band and
 * a one-second trace as it goes; the 10 Hz stream itself is not kept.
 */
export class SupervisedSession {
  status: DeviceSessionStatus = 'loaded';
  deviceState: CuffState | null = null;
  private ended = false;
  private doneSince: number | null = null;
  private readonly subscriptions: Subscription[] = [];
  private staleTimer?: TimerHandle;
  private readonly cuffs = new Map<string, CuffTracking>();
  private readonly meter: AdherenceMeter;
  private readonly updatesSubject = new Subject<LiveUpdate>();
  readonly updates$ = this.updatesSubject.asObservable();
  private readonly endedPromise: Promise<void>;
  private readonly watch: DeadlineWatch;
  private resolveEnded!: () => void;

  constructor(
    readonly spec: SessionSpec,
    private readonly transport: CuffTransport,
    private readonly timers: Timers,
    private readonly journal: SessionJournal,
    private readonly send: SendCommand,
    private readonly onEnded: (session: SupervisedSession) => void,
  ) {
    this.endedPromise = new Promise((resolve) => (this.resolveEnded = resolve));
    this.watch = {
      spec,
      timers,
      breach: (code, message, channel) => this.breach(code, message, channel),
      alarm: (alarm) => this.alarm(alarm),
      phase: () => this.meter.phase,
    };
    for (const cuff of spec.program.cuffs) {
      this.cuffs.set(cuff.channel, deflatedCuff());
    }
    this.meter = new AdherenceMeter(spec, journal, this.cuffs);
  }

  get id(): string {
    return this.spec.sessionId;
  }

  get isActive(): boolean {
    return !this.ended;
  }

  /** Resolves when the session has ended and everything about it is stored. */
  get settled(): Promise<void> {
    return this.endedPromise.then(() => this.journal.flushed(this.id));
  }

  /** Starts following the cuff: telemetry, events, presence, and the staleness deadline. */
  begin(): void {
    const mine = <T extends { deviceId: string }>() => filter((m: T) => m.deviceId === this.spec.deviceId);
    this.subscriptions.push(
      this.transport.telemetry$.pipe(mine<Telemetry>()).subscribe((t) => this.onTelemetry(t)),
      this.transport.events$.pipe(mine<DeviceEvent>()).subscribe((e) => this.onEvent(e)),
      this.transport.presence$.pipe(mine<Presence>()).subscribe((p) => this.onPresence(p)),
    );
    this.armStaleness();
  }

  summary(): SessionSummary {
    return this.meter.summary();
  }

  traceSoFar(): ReturnType<PressureTrace['toJSON']> {
    return this.meter.traceJSON();
  }

  async start(actor: string): Promise<Ack> {
    this.require(['loaded'], 'start');
    const ack = await this.exchange({ type: 'START', body: { programId: this.spec.program.programId } }, actor);
    this.setStatus('running', null, { startedAt: new Date(this.timers.now()) });
    return ack;
  }

  async nextSet(actor: string): Promise<Ack> {
    this.require(['running'], 'move to the next set');
    return this.exchange({ type: 'NEXT_SET', body: {} }, actor);
  }

  async pause(actor: string): Promise<Ack> {
    this.require(['running'], 'pause');
    const ack = await this.exchange({ type: 'PAUSE', body: {} }, actor);
    this.setStatus('paused', null);
    return ack;
  }

  async resume(actor: string): Promise<Ack> {
    this.require(['paused'], 'resume');
    const ack = await this.exchange({ type: 'RESUME', body: {} }, actor);
    this.setStatus('running', null);
    return ack;
  }

  /** Deflates the cuff and ends the session; accepted in every state of the cuff (SR-13). */
  async abort(actor: string, reason: string | undefined): Promise<Ack> {
    this.require(ACTIVE_STATUSES, 'deflate and end');
    const ack = await this.exchange({ type: 'ABORT', body: {} }, actor);
    const why = reason ? `: ${reason.replace(/[.!?]+$/, '')}` : '';
    await this.end('aborted', `Deflated and ended by ${actor}${why}.`, false);
    return ack;
  }

  /** Records an alarm, commands deflation and ends the session as aborted. */
  breach(code: SupervisorAlarmCode, message: string, channel: string | null = null): void {
    if (this.ended) {
      return;
    }
    this.alarm({ code, source: 'server', action: 'deflated', channel, message });
    void this.end('aborted', message, true);
  }

  /** Ends supervision; `deflate` tells the cuff to deflate first. */
  async end(status: 'completed' | 'aborted', reason: string, deflate: boolean): Promise<void> {
    if (this.ended) {
      return;
    }
    this.stopFollowing();
    this.meter.closePhase();
    this.status = status;
    const at = new Date(this.timers.now());
    this.journal.update(this.id, {
      status,
      endedAt: at,
      endReason: reason,
      deviceState: this.deviceState,
      summary: JSON.stringify(this.summary()),
      trace: JSON.stringify(this.meter.traceJSON(true)),
    });
    this.updatesSubject.next({ type: 'status', at: at.toISOString(), status, reason });
    this.updatesSubject.complete();
    this.onEnded(this);
    if (deflate) {
      await this.deflate();
    }
    await this.journal.close(this.id);
    this.resolveEnded();
  }

  /** Stops following the cuff without a command or a write: another replica has the session now. */
  relinquish(): void {
    if (this.ended) {
      return;
    }
    this.stopFollowing();
    this.updatesSubject.complete();
    this.onEnded(this);
    this.resolveEnded();
  }

  private stopFollowing(): void {
    this.ended = true;
    this.subscriptions.forEach((s) => s.unsubscribe());
    this.timers.clearTimeout(this.staleTimer);
    for (const cuff of this.cuffs.values()) {
      this.timers.clearTimeout(cuff.blockTimer);
      this.timers.clearTimeout(cuff.sessionTimer);
    }
  }

  private async deflate(): Promise<void> {
    try {
      const ack = await this.send(this.spec.deviceId, { type: 'DEFLATE', body: {} });
      this.recordCommand({ type: 'DEFLATE', body: {} }, 'supervisor', ack);
      if (ack.result !== 'OK') {
        this.alarm({
          code: 'DEFLATE_UNCONFIRMED',
          source: 'server',
          action: 'recorded',
          channel: null,
          message: `The cuff answered ${ack.result} to DEFLATE; check that it is deflated.`,
        });
      }
    } catch (error) {
      this.alarm({
        code: 'DEFLATE_UNCONFIRMED',
        source: 'server',
        action: 'recorded',
        channel: null,
        message: unconfirmedDeflation(error),
      });
    }
  }

  private require(statuses: readonly DeviceSessionStatus[], what: string): void {
    if (this.ended || !statuses.includes(this.status)) {
      const detail = `The session is ${this.status}; it cannot ${what} now.`;
      throw new DomainError(ErrorCode.DeviceSessionStateConflict, detail);
    }
  }

  /** Sends a command on behalf of `actor`; no ack ends the session as a breach. */
  private async exchange(command: Command, actor: string): Promise<Ack> {
    let ack: Ack;
    try {
      ack = await this.send(this.spec.deviceId, command);
    } catch (error) {
      const failure = deviceFailure(error);
      if (failure instanceof DomainError) {
        this.recordNote(actor, `${command.type} was not carried out: ${failure.detail}`);
        this.breach(failure.code === ErrorCode.DeviceNoAck ? 'NO_ACK' : 'DEVICE_OFFLINE', failure.detail);
      }
      throw failure;
    }
    this.recordCommand(command, actor, ack);
    if (ack.result !== 'OK') {
      throw deviceRejection(this.spec.deviceId, command.type, ack);
    }
    return ack;
  }

  private setStatus(status: DeviceSessionStatus, reason: string | null, extra: { startedAt?: Date } = {}): void {
    this.status = status;
    this.journal.update(this.id, { status, ...extra });
    this.updatesSubject.next({ type: 'status', at: new Date(this.timers.now()).toISOString(), status, reason });
  }

  private elapsed(): number {
    return this.timers.now() - this.spec.createdAtMs;
  }

  /** When an entry of the session's log happened: the time, and the time since the session was made. */
  private stamp(): { at: Date; elapsedMs: number } {
    return { at: new Date(this.timers.now()), elapsedMs: this.elapsed() };
  }

  private armStaleness(): void {
    this.timers.clearTimeout(this.staleTimer);
    this.staleTimer = this.timers.setTimeout(
      () =>
        this.breach(
          'TELEMETRY_LOST',
          `No telemetry from the cuff for ${DEVICE_LIMITS.telemetryStaleMs / 1000} s: the cuff is lost (SR-7).`,
        ),
      DEVICE_LIMITS.telemetryStaleMs,
    );
  }

  private onPresence(presence: Presence): void {
    if (!presence.online) {
      this.breach('DEVICE_OFFLINE', 'The cuff went offline.');
    }
  }

  private onTelemetry(telemetry: Telemetry): void {
    if (this.ended) {
      return;
    }
    this.armStaleness();
    this.deviceState = telemetry.state;
    const now = this.timers.now();
    if (telemetry.state === 'DONE') {
      // SESSION_COMPLETED follows DONE at once; should that event be lost, the cuff's state still ends the session.
      this.doneSince ??= now;
      if (now - this.doneSince >= COMPLETION_GRACE_MS) {
        void this.end('completed', 'The program ran to its end.', false);
        return;
      }
    }
    const elapsed = this.elapsed();
    const { program } = this.spec;
    this.meter.follow(telemetry, elapsed);
    const channels: Extract<LiveUpdate, { type: 'telemetry' }>['channels'] = [];
    for (const sample of telemetry.channels) {
      const cuff = this.cuffs.get(sample.channel);
      if (!cuff) {
        continue;
      }
      const phase = this.meter.phaseOn(sample.channel);
      const targetMmHg = phase ? phase.pressure.targetMmHg : null;
      const { meanMmHg, minMmHg, maxMmHg } = sample;
      if (meanMmHg === null || minMmHg === null || maxMmHg === null) {
        // No usable reading (the cuff raises its own sensor alarm): the time counts, never as in band.
        if (phase) {
          this.meter.addMissing(phase, cuff, elapsed);
        }
        channels.push({
          channel: sample.channel,
          meanMmHg,
          minMmHg,
          maxMmHg,
          targetMmHg,
          inBand: phase ? false : null,
        });
        continue;
      }
      const reading = { meanMmHg, minMmHg, maxMmHg };
      this.meter.addToTrace(sample.channel, elapsed, reading);
      if (maxMmHg >= program.limits.tripMmHg) {
        this.breach(
          'OVERPRESSURE',
          `Channel ${sample.channel} reached ${maxMmHg} mmHg, at or above the ${program.limits.tripMmHg} mmHg trip (SR-1).`,
          sample.channel,
        );
        return;
      }
      trackInflation(
        this.watch,
        sample.channel,
        cuff,
        meanMmHg > DEVICE_LIMITS.deflatedMmHg,
        telemetry.blockIndex,
        now,
      );
      let inBand: boolean | null = null;
      if (phase) {
        inBand = this.meter.addReading(phase, cuff, elapsed, reading);
        checkWindow(this.watch, sample.channel, cuff, meanMmHg - phase.pressure.targetMmHg, now);
      } else {
        cuff.outsideSince = null;
        cuff.overSince = null;
      }
      if (this.ended) {
        return;
      }
      channels.push({ channel: sample.channel, meanMmHg, minMmHg, maxMmHg, targetMmHg, inBand });
    }
    this.updatesSubject.next({
      type: 'telemetry',
      at: new Date(now).toISOString(),
      elapsedMs: elapsed,
      state: telemetry.state,
      blockIndex: telemetry.blockIndex,
      setIndex: telemetry.setIndex,
      channels,
    });
  }

  private onEvent(event: DeviceEvent): void {
    if (this.ended) {
      return;
    }
    this.deviceState = event.state;
    const entry = journalEntry.deviceEvent(this.stamp(), event);
    this.journal.event(this.id, entry);
    this.journal.update(this.id, { deviceState: event.state });
    this.updatesSubject.next({ type: 'event', at: new Date(this.timers.now()).toISOString(), summary: entry.summary });
    const outcome = sessionOutcomeOf(event.event);
    if (outcome.alarm) {
      this.alarm(outcome.alarm);
    }
    if (outcome.end) {
      void this.end(outcome.end.status, outcome.end.reason, outcome.end.deflate);
    }
  }

  private alarm(alarm: SessionAlarm): void {
    const at = new Date(this.timers.now());
    this.journal.alarm(this.id, { ...alarm, at, elapsedMs: this.elapsed() });
    if (!this.updatesSubject.closed) {
      this.updatesSubject.next({ type: 'alarm', at: at.toISOString(), ...alarm });
    }
  }

  private recordCommand(command: Command, actor: string, ack: Ack): void {
    this.journal.event(this.id, journalEntry.command(this.stamp(), actor, command, ack));
  }

  private recordNote(actor: string, summary: string): void {
    this.journal.event(this.id, journalEntry.note(this.stamp(), actor, summary));
  }
}
