import { filter, Subject, type Subscription } from 'rxjs';

import { DomainError, ErrorCode } from '../common/problem';
import { blockOcclusionS } from '../device-adapter/cuff-program';
import { type CuffTransport, DeviceNoAckError, DeviceUnavailableError } from '../device-adapter/cuff-transport';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import type { Ack, Command, CuffState, DeviceEvent, Presence, Telemetry } from '../device-adapter/protocol';
import type { TimerHandle, Timers } from '../device-adapter/timers';
import type { SessionAlarmCode, SupervisorAlarmCode } from './alarm-codes';
import type { DeviceSessionStatus } from './device-session.entity';
import { journalEntry } from './journal-entries';
import { PressureAccumulator, PressureTrace, SAMPLE_MS } from './pressure-statistics';
import type { SessionJournal } from './session-journal';
import { deviceFailure, deviceRejection } from './device-failure';
import { checkWindow, type DeadlineWatch, trackInflation } from './session-deadlines';
import {
  ACTIVE_STATUSES,
  type CuffTracking,
  type LiveUpdate,
  type OpenPhase,
  type SendCommand,
  type SessionSpec,
  type SessionSummary,
} from './session-types';

const COMPLETION_GRACE_MS = 2000;

export {
  ACTIVE_STATUSES,
  type ChannelSummary,
  type LiveUpdate,
  type SendCommand,
  type SessionSpec,
  type SessionSummary,
} from './session-types';

/**
 * One session under supervision. The supervisor, not the transport, owns its deadlines: the ack
 * deadline of every command (SR-11), telemetry staleness (SR-7), each block's and the session's
 * inflation time (SR-4, SR-6), reperfusion (SR-5) and the pressure window (SR-8), all on the
 * injected clock. On any breach it records an alarm, tells the cuff to deflate and ends the
 * session as aborted. It reduces telemetry to per-set statistics, time in band and a one-second
 * trace as it goes; the 10 Hz stream itself is not kept.
 */
export class SupervisedSession {
  status: DeviceSessionStatus = 'loaded';
  deviceState: CuffState | null = null;
  private ended = false;
  private doneSince: number | null = null;
  private readonly subscriptions: Subscription[] = [];
  private staleTimer?: TimerHandle;
  private readonly cuffs = new Map<string, CuffTracking>();
  private phase: OpenPhase | null = null;
  private readonly phases = new Map<string, OpenPhase>();
  private readonly trace = new PressureTrace();
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
      phase: () => this.phase,
    };
    for (const cuff of spec.program.cuffs) {
      this.cuffs.set(cuff.channel, {
        inflated: false,
        inflatedSince: 0,
        deflatedSince: null,
        lastBlock: null,
        usedMs: 0,
        outsideSince: null,
        overSince: null,
        inflatedMs: 0,
        atTargetMs: 0,
        inBandMs: 0,
      });
    }
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
    const channels = [...this.cuffs.entries()].map(([channel, c]) => ({
      channel,
      inflatedS: c.inflatedMs / 1000,
      atTargetS: c.atTargetMs / 1000,
      inBandS: c.inBandMs / 1000,
    }));
    const prescribedAtTargetS = this.spec.program.blocks.reduce((sum, block) => sum + blockOcclusionS(block), 0);
    const inBandS = channels.reduce((sum, c) => sum + c.inBandS, 0);
    return {
      bandMmHg: this.spec.program.limits.windowMmHg,
      prescribedAtTargetS,
      atTargetS: channels.reduce((sum, c) => sum + c.atTargetS, 0),
      inBandS,
      adherence: Math.min(1, Math.round((inBandS / prescribedAtTargetS) * 1000) / 1000),
      channels,
    };
  }

  traceSoFar(): ReturnType<PressureTrace['toJSON']> {
    return this.trace.toJSON();
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
    await this.end(
      'aborted',
      `Deflated and ended by ${actor}${reason ? `: ${reason.replace(/[.!?]+$/, '')}` : ''}.`,
      false,
    );
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
    this.closePhase();
    this.status = status;
    const at = new Date(this.timers.now());
    this.journal.update(this.id, {
      status,
      endedAt: at,
      endReason: reason,
      deviceState: this.deviceState,
      summary: JSON.stringify(this.summary()),
      trace: JSON.stringify(this.trace.toJSON(true)),
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
      const why =
        error instanceof DeviceNoAckError
          ? 'did not acknowledge DEFLATE'
          : error instanceof DeviceUnavailableError
            ? `could not be reached (${error.reason})`
            : 'failed to deflate';
      this.alarm({
        code: 'DEFLATE_UNCONFIRMED',
        source: 'server',
        action: 'recorded',
        channel: null,
        message: `The cuff ${why}; it deflates on its own without the service's heartbeat (within 5 s), but check that it is deflated.`,
      });
    }
  }

  private require(statuses: readonly DeviceSessionStatus[], what: string): void {
    if (this.ended || !statuses.includes(this.status)) {
      throw new DomainError(
        ErrorCode.DeviceSessionStateConflict,
        `The session is ${this.status}; it cannot ${what} now.`,
      );
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
    const block = telemetry.blockIndex !== null ? program.blocks[telemetry.blockIndex] : undefined;
    const regulating =
      block !== undefined &&
      telemetry.setIndex !== null &&
      (telemetry.state === 'HOLDING' || (telemetry.state === 'SET_REST' && block.inflatedDuringRest));
    // During a rest the cuff reports the set to come; the rest is kept with the set before it.
    const setIndex = telemetry.state === 'SET_REST' ? (telemetry.setIndex ?? 1) - 1 : telemetry.setIndex;
    const key = regulating
      ? `${telemetry.blockIndex}:${setIndex}:${telemetry.state === 'HOLDING' ? 'work' : 'rest'}`
      : null;
    if (this.phase && this.phase.key !== key) {
      this.closePhase();
    }
    if (regulating && !this.phase) {
      // A set taken up again after a pause goes on with the statistics it had.
      this.phase = this.phases.get(key as string) ?? {
        key: key as string,
        blockIndex: telemetry.blockIndex as number,
        setIndex: setIndex as number,
        phase: telemetry.state === 'HOLDING' ? 'work' : 'rest',
        channel: block.channel,
        startedMs: elapsed,
        endedMs: elapsed,
        pressure: new PressureAccumulator(block.targetMmHg, program.limits.windowMmHg),
        windowAlarmed: false,
      };
      this.phases.set(this.phase.key, this.phase);
    }

    const channels: Extract<LiveUpdate, { type: 'telemetry' }>['channels'] = [];
    for (const sample of telemetry.channels) {
      const cuff = this.cuffs.get(sample.channel);
      if (!cuff) {
        continue;
      }
      // The channel of the set being held; the other channel is idle.
      const phase = this.phase !== null && this.phase.channel === sample.channel ? this.phase : null;
      const targetMmHg = phase ? phase.pressure.targetMmHg : null;
      const { meanMmHg, minMmHg, maxMmHg } = sample;
      if (meanMmHg === null || minMmHg === null || maxMmHg === null) {
        // No usable reading (the cuff raises its own sensor alarm): the time counts, never as in band.
        if (phase) {
          phase.pressure.addMissing();
          phase.endedMs = elapsed + SAMPLE_MS;
          cuff.atTargetMs += SAMPLE_MS;
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
      this.trace.add(sample.channel, elapsed, reading);
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
        inBand = phase.pressure.add(reading);
        phase.endedMs = elapsed + SAMPLE_MS;
        cuff.atTargetMs += SAMPLE_MS;
        cuff.inBandMs += inBand ? SAMPLE_MS : 0;
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

  private closePhase(): void {
    const phase = this.phase;
    this.phase = null;
    if (!phase || phase.pressure.empty) {
      return;
    }
    const stats = phase.pressure.result();
    this.journal.phase(this.id, {
      blockIndex: phase.blockIndex,
      setIndex: phase.setIndex,
      phase: phase.phase,
      channel: phase.channel,
      targetMmHg: phase.pressure.targetMmHg,
      windowMmHg: phase.pressure.windowMmHg,
      startedMs: phase.startedMs,
      endedMs: phase.endedMs,
      ...stats,
    });
    this.journal.update(this.id, {
      summary: JSON.stringify(this.summary()),
      trace: JSON.stringify(this.trace.toJSON()),
    });
  }

  private onEvent(event: DeviceEvent): void {
    if (this.ended) {
      return;
    }
    this.deviceState = event.state;
    const entry = journalEntry.deviceEvent({ at: new Date(this.timers.now()), elapsedMs: this.elapsed() }, event);
    this.journal.event(this.id, entry);
    this.journal.update(this.id, { deviceState: event.state });
    this.updatesSubject.next({ type: 'event', at: new Date(this.timers.now()).toISOString(), summary: entry.summary });
    const detail = event.event;
    switch (detail.kind) {
      case 'ALARM_RAISED':
        this.alarm({
          code: detail.alarm,
          source: 'device',
          action: detail.action === 'deflate' ? 'deflated' : 'recorded',
          channel: detail.channel,
          message: detail.detail,
        });
        if (detail.action === 'deflate') {
          void this.end('aborted', `The cuff raised ${detail.alarm} and deflated: ${detail.detail}`, true);
        }
        return;
      case 'SESSION_COMPLETED':
        void this.end('completed', 'The program ran to its end.', false);
        return;
      case 'BOOTED':
        void this.end('aborted', 'The cuff restarted; a session never resumes after a restart (SR-15).', true);
        return;
      case 'BUTTON_PRESSED':
        void this.end('aborted', 'Stopped with the button on the cuff.', true);
        return;
      case 'STATE_CHANGED':
        if (['ABORTED', 'FAULT', 'IDLE', 'ALARM_DEFLATING'].includes(detail.to)) {
          void this.end('aborted', `The cuff went to ${detail.to}.`, true);
        }
        return;
      default:
        return;
    }
  }

  private alarm(alarm: {
    code: SessionAlarmCode;
    source: 'server' | 'device';
    action: 'deflated' | 'recorded';
    channel: string | null;
    message: string;
  }): void {
    const at = new Date(this.timers.now());
    this.journal.alarm(this.id, { ...alarm, at, elapsedMs: this.elapsed() });
    if (!this.updatesSubject.closed) {
      this.updatesSubject.next({ type: 'alarm', at: at.toISOString(), ...alarm });
    }
  }

  private recordCommand(command: Command, actor: string, ack: Ack): void {
    this.journal.event(
      this.id,
      journalEntry.command({ at: new Date(this.timers.now()), elapsedMs: this.elapsed() }, actor, command, ack),
    );
  }

  private recordNote(actor: string, summary: string): void {
    this.journal.event(
      this.id,
      journalEntry.note({ at: new Date(this.timers.now()), elapsedMs: this.elapsed() }, actor, summary),
    );
  }
}
