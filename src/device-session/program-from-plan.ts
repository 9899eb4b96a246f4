import { DomainError, ErrorCode } from '../common/problem';
import type { PlannedExercise } from '../prescription/plan.schema';
import type { Prescription } from '../prescription/prescription.schema';
import { SAFETY_ENVELOPE } from '../prescription/safety-envelope';
import type { CuffProgram } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import { programRefusal } from './check-program';
import type { PressureBasis } from './device-session.entity';

type Channel = CuffProgram['cuffs'][number]['channel'];
type Site = CuffProgram['cuffs'][number]['site'];
type Block = CuffProgram['blocks'][number];

export interface CuffBinding {
  channel: Channel;
  site: Site;
}

export interface ProgramOptions {
  programId: string;
  bindings: readonly CuffBinding[];
  /** `first-session` when the patient has no completed session of this plan yet; `ramp` while the pressures still rise. */
  pressureBasis: PressureBasis;
  /** Sessions of this plan the patient has completed; picks the step of the pressure ramp. */
  completedSessions?: number;
}

/**
 * The set point of an exercise at a session: the first-session pressure, then each step of the
 * plan's ramp, then the working pressure. A plan stored without a ramp goes to the working pressure.
 */
export function sessionPressure(
  exercise: PlannedExercise,
  pressureBasis: PressureBasis,
  completedSessions: number,
): { lopPercent: number; mmHg: number } {
  const { pressure } = exercise.dose;
  if (pressureBasis === 'first-session') {
    return { lopPercent: pressure.startLopPercent, mmHg: pressure.startMmHg };
  }
  const step =
    pressureBasis === 'ramp' ? pressure.ramp?.[Math.min(completedSessions, pressure.ramp.length - 1)] : undefined;
  return step
    ? { lopPercent: step.lopPercent, mmHg: step.mmHg }
    : { lopPercent: pressure.lopPercent, mmHg: pressure.mmHg };
}

/** How the pressures of the next session are chosen, from the sessions already completed. */
export function pressureBasisFor(prescription: Prescription, completedSessions: number): PressureBasis {
  if (completedSessions === 0) {
    return 'first-session';
  }
  // The last step of a ramp is the working pressure.
  return prescription.plan.exercises.some((e) => (e.dose.pressure.ramp?.length ?? 0) > completedSessions + 1)
    ? 'ramp'
    : 'working';
}

const siteName = (site: Site) => `${site.side} ${site.limb}`;
const sameSite = (a: Site, b: Site) => a.limb === b.limb && a.side === b.side;

/** The exercises of the session: the first session has only as many as the schedule allows. */
export function sessionExercises(prescription: Prescription, pressureBasis: PressureBasis): PlannedExercise[] {
  const { exercises, schedule } = prescription.plan;
  return pressureBasis === 'first-session' ? exercises.slice(0, schedule.maxExercisesFirstSession.value) : exercises;
}

/** Longest the cuff of this exercise may stay up without a break: its own dose limit, never above the envelope's for the limb. */
export function blockInflationLimitS(exercise: PlannedExercise): number {
  return Math.round(
    Math.min(
      exercise.dose.maxContinuousMinutes.value,
      SAFETY_ENVELOPE.maxContinuousInflationMinutes[exercise.site.limb],
    ) * 60,
  );
}

/**
 * The cuff takes one block limit for the whole program: the longest a continuous block's dose
 * allows. Bouts are deflated between, so a block of bouts keeps the cuff's own limit for their sum;
 * the supervisor times every block against its own dose.
 */
function programBlockLimitS(exercises: readonly PlannedExercise[], blocks: readonly Block[]): number {
  const allowed = blocks.map((block, i) =>
    block.inflatedDuringRest ? blockInflationLimitS(exercises[i]) : DEVICE_LIMITS.maxBlockInflationS,
  );
  return Math.min(DEVICE_LIMITS.maxBlockInflationS, Math.max(...allowed));
}

function blockOf(
  exercise: PlannedExercise,
  channel: Channel,
  pressureBasis: PressureBasis,
  completedSessions: number,
): Block {
  const { dose } = exercise;
  const target = sessionPressure(exercise, pressureBasis, completedSessions);
  const adjustment = dose.pressure.lop.positionAdjustment;
  const common = {
    blockId: `b${exercise.order}`,
    channel,
    exerciseId: exercise.exercise.id,
    // The cuff holds the LOP as measured; a plan's LOP carried to a lower-LOP position is a smaller share of it.
    targetPct: adjustment ? Math.round((target.mmHg / adjustment.fromMmHg) * 1000) / 10 : target.lopPercent,
    targetMmHg: target.mmHg,
    reperfusionS: dose.reperfusion.seconds,
  };
  if (exercise.exercise.modality === 'resistance') {
    const scheme = dose.sets.value as number[];
    const tempo = dose.tempo.value as { concentricSeconds: number; eccentricSeconds: number };
    return {
      ...common,
      mode: 'continuous',
      sets: scheme.map((reps) => ({
        reps,
        workS: Math.round(reps * (tempo.concentricSeconds + tempo.eccentricSeconds)),
      })),
      setRestS: dose.restBetweenSets.seconds as number,
      inflatedDuringRest: true,
    };
  }
  // Timed bouts: the cuff goes down between them, as the plan says.
  const bouts = dose.bouts.value as { count: number; minutes: number; restSeconds: number };
  return {
    ...common,
    mode: exercise.exercise.modality === 'aerobic' ? 'intermittent' : 'passive',
    sets: Array.from({ length: bouts.count }, () => ({ reps: 0, workS: Math.round(bouts.minutes * 60) })),
    setRestS: bouts.restSeconds,
    inflatedDuringRest: false,
  };
}

const refuse = (reasons: string[]) =>
  programRefusal(reasons.map((message) => ({ requirement: 'program', path: 'plan', message })));

/**
 * An approved plan as a cuff program: one block per exercise of the session in the plan's order,
 * each on the channel bound to its cuff site. Every value comes from the plan: pressure = the
 * plan's % LOP (the first session's when this is the patient's first session, the ramp's step
 * while the pressure still rises) of the LOP the plan
 * used for that site (an LOP the plan carried to a lower-LOP position goes to the cuff as measured,
 * with the set point as its share of it); sets, rest and tempo from the dose; reperfusion from the dose; limits from
 * the device's hard limits, tightened to the plan's own continuous-inflation limits. Refuses (fails
 * closed) when a site has no channel, a site's exercises use different LOPs, or an LOP is not a
 * measurement.
 */
export function programFromPlan(prescription: Prescription, options: ProgramOptions): CuffProgram {
  if (prescription.status !== 'approved') {
    throw new DomainError(
      ErrorCode.PrescriptionStateConflict,
      `Only an approved plan can be sent to a cuff; this version is ${prescription.status}.`,
    );
  }
  const exercises = sessionExercises(prescription, options.pressureBasis);
  const reasons: string[] = [];
  const cuffs = new Map<Channel, CuffProgram['cuffs'][number]>();
  const blocks: Block[] = [];
  for (const exercise of exercises) {
    const binding = options.bindings.find((b) => sameSite(b.site, exercise.site));
    if (!binding) {
      reasons.push(
        `${exercise.exercise.id} is done with the cuff on the ${siteName(exercise.site)}, and no channel is bound to that site`,
      );
      continue;
    }
    const { lop } = exercise.dose.pressure;
    if (lop.source !== 'measured' || lop.measuredOn === null || lop.position === null) {
      reasons.push(
        `the LOP of the ${siteName(exercise.site)} is an estimate; measure it (e.g. with the cuff) and revise the plan before using a cuff`,
      );
      continue;
    }
    const cuff = {
      channel: binding.channel,
      site: { limb: exercise.site.limb, side: exercise.site.side },
      cuffWidthCm: lop.cuffWidthCm,
      lopMmHg: lop.positionAdjustment ? lop.positionAdjustment.fromMmHg : lop.mmHg,
      lopTakenAt: `${lop.measuredOn}T00:00:00.000Z`,
      lopPosture: lop.position,
    };
    const bound = cuffs.get(binding.channel);
    if (
      bound &&
      (bound.lopMmHg !== cuff.lopMmHg || bound.lopPosture !== cuff.lopPosture || bound.cuffWidthCm !== cuff.cuffWidthCm)
    ) {
      reasons.push(
        `the exercises on the ${siteName(exercise.site)} use two LOPs (${bound.lopMmHg} mmHg ${bound.lopPosture}, ${cuff.lopMmHg} mmHg ${cuff.lopPosture}); a cuff program carries one LOP per cuff`,
      );
      continue;
    }
    cuffs.set(binding.channel, cuff);
    blocks.push(blockOf(exercise, binding.channel, options.pressureBasis, options.completedSessions ?? 0));
  }
  if (reasons.length > 0) {
    throw refuse(reasons);
  }
  return {
    programId: options.programId,
    cuffs: [...cuffs.values()],
    blocks,
    limits: {
      ceilingMmHg: DEVICE_LIMITS.maxSetPointMmHg,
      tripMmHg: DEVICE_LIMITS.tripMmHg,
      maxBlockInflationS: programBlockLimitS(exercises, blocks),
      maxSessionInflationS: DEVICE_LIMITS.maxSessionInflationS,
      minReperfusionS: DEVICE_LIMITS.minReperfusionS,
      windowMmHg: DEVICE_LIMITS.windowMmHg,
    },
  };
}
