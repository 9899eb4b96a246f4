import { blockOcclusionS } from '../device-adapter/cuff-program';
import type { Telemetry } from '../device-adapter/protocol';
import { PressureAccumulator, PressureTrace, SAMPLE_MS } from './pressure-statistics';
import type { SessionJournal } from './session-journal';
import type { CuffTracking, OpenPhase, SessionSpec, SessionSummary } from './session-types';

type Reading = { meanMmHg: number; minMmHg: number; maxMmHg: number };

/**
 * What the patient actually got: per-set pressure statistics, time at the set point and in band
 * per channel, and a one-second trace. It keeps no deadlines and raises no alarms; the supervisor
 * calls it in step with its own checks.
 */
export class AdherenceMeter {
  private open: OpenPhase | null = null;
  private readonly phases = new Map<string, OpenPhase>();
  private readonly trace = new PressureTrace();

  constructor(
    private readonly spec: SessionSpec,
    private readonly journal: SessionJournal,
    private readonly cuffs: ReadonlyMap<string, CuffTracking>,
  ) {}

  /** The set or inflated rest being held, if any. */
  get phase(): OpenPhase | null {
    return this.open;
  }

  /** The phase being held on `channel`; the other channel is idle. */
  phaseOn(channel: string): OpenPhase | null {
    return this.open !== null && this.open.channel === channel ? this.open : null;
  }

  /** Closes the phase the cuff has left and opens the one it reports, if it regulates a set point. */
  follow(telemetry: Telemetry, elapsed: number): void {
    const { program } = this.spec;
    const block = telemetry.blockIndex !== null ? program.blocks[telemetry.blockIndex] : undefined;
    const holding = telemetry.state === 'HOLDING';
    const inflatedRest = telemetry.state === 'SET_REST' && block?.inflatedDuringRest === true;
    const regulating = block !== undefined && telemetry.setIndex !== null && (holding || inflatedRest);
    // During a rest the cuff reports the set to come; the rest is kept with the set before it.
    const setIndex = telemetry.state === 'SET_REST' ? (telemetry.setIndex ?? 1) - 1 : telemetry.setIndex;
    const key = regulating ? `${telemetry.blockIndex}:${setIndex}:${holding ? 'work' : 'rest'}` : null;
    if (this.open && this.open.key !== key) {
      this.closePhase();
    }
    if (regulating && !this.open) {
      // A set taken up again after a pause goes on with the statistics it had.
      this.open = this.phases.get(key as string) ?? {
        key: key as string,
        blockIndex: telemetry.blockIndex as number,
        setIndex: setIndex as number,
        phase: holding ? 'work' : 'rest',
        channel: block.channel,
        startedMs: elapsed,
        endedMs: elapsed,
        pressure: new PressureAccumulator(block.targetMmHg, program.limits.windowMmHg),
        windowAlarmed: false,
      };
      this.phases.set(this.open.key, this.open);
    }
  }

  /** A sample without a usable reading: the time counts at the set point, never as in band. */
  addMissing(phase: OpenPhase, cuff: CuffTracking, elapsed: number): void {
    phase.pressure.addMissing();
    phase.endedMs = elapsed + SAMPLE_MS;
    cuff.atTargetMs += SAMPLE_MS;
  }

  /** Adds a reading to the one-second trace. */
  addToTrace(channel: string, elapsed: number, reading: Reading): void {
    this.trace.add(channel, elapsed, reading);
  }

  /** Counts a reading of the phase being held; returns whether it was in band. */
  addReading(phase: OpenPhase, cuff: CuffTracking, elapsed: number, reading: Reading): boolean {
    const inBand = phase.pressure.add(reading);
    phase.endedMs = elapsed + SAMPLE_MS;
    cuff.atTargetMs += SAMPLE_MS;
    cuff.inBandMs += inBand ? SAMPLE_MS : 0;
    return inBand;
  }

  /** Stores the statistics of the phase being held, if it has any, with the summary and trace so far. */
  closePhase(): void {
    const phase = this.open;
    this.open = null;
    if (!phase || phase.pressure.empty) {
      return;
    }
    const stats = phase.pressure.result();
    const id = this.spec.sessionId;
    this.journal.phase(id, {
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
    this.journal.update(id, { summary: JSON.stringify(this.summary()), trace: JSON.stringify(this.traceJSON()) });
  }

  summary(): SessionSummary {
    const channels = [...this.cuffs.entries()].map(([channel, c]) => ({
      channel,
      inflatedS: c.inflatedMs / 1000,
      atTargetS: c.atTargetMs / 1000,
      inBandS: c.inBandMs / 1000,
    }));
    const { program } = this.spec;
    const prescribedAtTargetS = program.blocks.reduce((sum, block) => sum + blockOcclusionS(block), 0);
    const inBandS = channels.reduce((sum, c) => sum + c.inBandS, 0);
    return {
      bandMmHg: program.limits.windowMmHg,
      prescribedAtTargetS,
      atTargetS: channels.reduce((sum, c) => sum + c.atTargetS, 0),
      inBandS,
      adherence: Math.min(1, Math.round((inBandS / prescribedAtTargetS) * 1000) / 1000),
      channels,
    };
  }

  /** The trace so far; `final` closes the seconds still open. */
  traceJSON(final = false): ReturnType<PressureTrace['toJSON']> {
    return this.trace.toJSON(final);
  }
}
