import { DomainError, ErrorCode } from '../common/problem';
import { checkEnvelope, type EnvelopeExercise } from '../prescription/safety-envelope';
import { blockOcclusionS, CuffProgram } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import { programLimitBreaches } from '../device-adapter/program-limits';

/** A limit a program breaks: a cuff safety requirement, the prescription envelope, or the program's own shape. */
export interface ProgramBreach {
  requirement: 'SR-1' | 'SR-2' | 'SR-3' | 'SR-4' | 'SR-5' | 'SR-6' | 'SR-8' | 'envelope' | 'program';
  /** Where in the program, as a dotted path (`blocks.2.targetMmHg`); `plan` when the plan could not be made into a program. */
  path: string;
  message: string;
}

const minutes = (seconds: number) => Math.round((seconds / 60) * 10) / 10;

/** The program's blocks as the prescription envelope reads exercises. */
function envelopeExercises(program: CuffProgram): EnvelopeExercise[] {
  return program.blocks.map((block) => {
    const cuff = program.cuffs.find((c) => c.channel === block.channel)!;
    const continuous = block.inflatedDuringRest
      ? blockOcclusionS(block)
      : Math.max(...block.sets.map((set) => set.workS));
    // Sets of a block that deflates between them are separate bouts: the rest between is reperfusion.
    const reperfusion =
      !block.inflatedDuringRest && block.sets.length > 1
        ? Math.min(block.reperfusionS, block.setRestS)
        : block.reperfusionS;
    return {
      exerciseId: block.blockId,
      limb: cuff.site.limb,
      side: cuff.site.side,
      lopPercent: block.targetPct,
      setPointMmHg: block.targetMmHg,
      loadPercent1RM: null,
      continuousInflationMinutes: minutes(continuous),
      inflatedMinutes: minutes(blockOcclusionS(block)),
      reperfusionSeconds: reperfusion,
      basis: {},
    };
  });
}

const ENVELOPE_FIELDS: Record<string, string> = {
  lopPercent: 'targetPct',
  setPointMmHg: 'targetMmHg',
  continuousInflationMinutes: 'sets',
  reperfusionSeconds: 'reperfusionS',
};

/**
 * Every breach of a program, checked on the server before anything is sent: the cuff's hard limits
 * (the same function the cuff runs), the LOP's age (SR-3, which only the server can judge), and the
 * prescription safety envelope. An empty list means the program may go to the cuff. `now` is in ms
 * since the epoch.
 */
export function checkProgram(program: CuffProgram, now: number): ProgramBreach[] {
  const parsed = CuffProgram.safeParse(program);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      requirement: 'program',
      path: issue.path.join('.'),
      message: issue.message,
    }));
  }
  const breaches: ProgramBreach[] = programLimitBreaches(program).map((b) => ({
    requirement: b.requirement,
    path: b.path,
    message: b.message,
  }));

  program.cuffs.forEach((cuff, i) => {
    const ageS = (now - Date.parse(cuff.lopTakenAt)) / 1000;
    if (ageS > DEVICE_LIMITS.lopMaxAgeS) {
      breaches.push({
        requirement: 'SR-3',
        path: `cuffs.${i}.lopTakenAt`,
        message: `the LOP of the ${cuff.site.side} ${cuff.site.limb} (channel ${cuff.channel}) was taken ${Math.floor(ageS / 3600)} h ago, more than ${DEVICE_LIMITS.lopMaxAgeS / 3600} h`,
      });
    } else if (ageS < 0) {
      breaches.push({
        requirement: 'SR-3',
        path: `cuffs.${i}.lopTakenAt`,
        message: `the LOP of channel ${cuff.channel} is dated in the future (${cuff.lopTakenAt})`,
      });
    }
  });

  for (const breach of checkEnvelope(envelopeExercises(program))) {
    const index = program.blocks.findIndex((b) => b.blockId === breach.exerciseId);
    const below = breach.parameter === 'reperfusionSeconds';
    breaches.push({
      requirement: 'envelope',
      path: index >= 0 ? `blocks.${index}.${ENVELOPE_FIELDS[breach.parameter] ?? breach.parameter}` : 'blocks',
      message: `${breach.parameter} ${breach.value} is ${below ? 'below' : 'above'} the envelope's ${breach.limit} on the ${breach.limb}${breach.exerciseId ? ` (block ${breach.exerciseId})` : ''}`,
    });
  }
  return breaches;
}

/** The refusal of a program with breaches: 422 naming every limit and value; nothing was sent. */
export function programRefusal(breaches: readonly ProgramBreach[]): DomainError {
  return new DomainError(
    ErrorCode.ProgramRefused,
    `The cuff program was refused before anything was sent to the cuff: ${breaches.map((b) => `${b.requirement}: ${b.message}`).join('; ')}.`,
    undefined,
    { extensions: { breaches } },
  );
}
