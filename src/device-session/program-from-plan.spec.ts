import fc from 'fast-check';

import { patellofemoralRequest, prescriptionLimb, prescriptionRequest, SCREENED_ON } from '../../test/factories';
import { propertyRuns, propertyTimeoutMs } from '../../test/property-runs';
import { RULES_DATA } from '../../test/rules-fixtures';
import { DomainError, ErrorCode } from '../common/problem';
import { generatePlan } from '../prescription/generate-plan';
import { Condition, CONDITIONS, Goal, WeightBearing } from '../prescription/indication';
import type { Plan } from '../prescription/plan.schema';
import type { PrescriptionRequest } from '../prescription/prescription-request.schema';
import type { Prescription } from '../prescription/prescription.schema';
import { loadRuleCatalogue } from '../rulesets';
import { blockOcclusionS, CuffProgram } from '../device-adapter/cuff-program';
import { DEVICE_LIMITS } from '../device-adapter/device-limits';
import { checkProgram } from './check-program';
import {
  blockInflationLimitS,
  type CuffBinding,
  pressureBasisFor,
  programFromPlan,
  sessionExercises,
} from './program-from-plan';

const catalogue = loadRuleCatalogue(RULES_DATA);
const NOON = Date.parse(`${SCREENED_ON}T12:00:00.000Z`);
const BOTH_THIGHS: CuffBinding[] = [
  { channel: 'A', site: { limb: 'thigh', side: 'left' } },
  { channel: 'B', site: { limb: 'thigh', side: 'right' } },
];

function approved(plan: Plan): Prescription {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    seriesId: '00000000-0000-4000-8000-000000000001',
    version: 1,
    previousVersionId: null,
    supersededBy: null,
    status: 'approved',
    patientRef: 'mrn-1001',
    createdAt: `${SCREENED_ON}T09:30:00.000Z`,
    createdBy: 'dr-lee',
    approval: { by: 'dr-lee', at: `${SCREENED_ON}T09:30:00.000Z`, acknowledgements: [], contact: null },
    cancellation: null,
    plan,
  };
}

const planFor = async (request: PrescriptionRequest) => (await generatePlan(catalogue, request, SCREENED_ON)).plan;

function refusal(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('programFromPlan', () => {
  let acl: Prescription;

  beforeAll(async () => {
    acl = approved(await planFor(prescriptionRequest()));
  });

  it('makes one block per exercise of the session, in the plan order, on the channel bound to its site, with the working pressure', () => {
    const program = programFromPlan(acl, { programId: 'prg-acl', bindings: BOTH_THIGHS, pressureBasis: 'working' });

    expect(CuffProgram.parse(program)).toEqual(program);
    expect(program.blocks.map((b) => b.exerciseId)).toEqual(acl.plan.exercises.map((e) => e.exercise.id));
    program.blocks.forEach((block, i) => {
      const exercise = acl.plan.exercises[i];
      const { dose } = exercise;
      expect(block.channel).toBe(exercise.site.side === 'left' ? 'A' : 'B');
      expect(block.targetPct).toBe(dose.pressure.lopPercent);
      expect(block.targetMmHg).toBe(dose.pressure.mmHg);
      expect(block.reperfusionS).toBe(dose.reperfusion.seconds);
      if (exercise.exercise.modality === 'resistance') {
        const tempo = dose.tempo.value!;
        expect(block).toMatchObject({
          mode: 'continuous',
          inflatedDuringRest: true,
          setRestS: dose.restBetweenSets.seconds,
        });
        expect(block.sets).toEqual(
          dose.sets.value!.map((reps) => ({ reps, workS: reps * (tempo.concentricSeconds + tempo.eccentricSeconds) })),
        );
        expect(blockOcclusionS(block) / 60).toBeCloseTo(dose.continuousMinutes, 1);
      }
    });
    expect(program.cuffs).toEqual([
      {
        channel: 'A',
        site: { limb: 'thigh', side: 'left' },
        cuffWidthCm: 11.5,
        lopMmHg: 190,
        lopTakenAt: `${SCREENED_ON}T00:00:00.000Z`,
        lopPosture: 'supine',
      },
      {
        channel: 'B',
        site: { limb: 'thigh', side: 'right' },
        cuffWidthCm: 11.5,
        lopMmHg: 200,
        lopTakenAt: `${SCREENED_ON}T00:00:00.000Z`,
        lopPosture: 'supine',
      },
    ]);
    expect(program.limits).toEqual({
      ceilingMmHg: DEVICE_LIMITS.maxSetPointMmHg,
      tripMmHg: DEVICE_LIMITS.tripMmHg,
      maxBlockInflationS: Math.max(...acl.plan.exercises.map(blockInflationLimitS)),
      maxSessionInflationS: DEVICE_LIMITS.maxSessionInflationS,
      minReperfusionS: DEVICE_LIMITS.minReperfusionS,
      windowMmHg: DEVICE_LIMITS.windowMmHg,
    });
    expect(checkProgram(program, NOON)).toEqual([]);
  });

  it('steps the pressure along the plan ramp by completed sessions, every exercise of the plan, then holds the working pressure', () => {
    const ramp = acl.plan.exercises[0].dose.pressure.ramp;
    expect(ramp.length).toBeGreaterThan(2);
    expect(pressureBasisFor(acl, 0)).toBe('first-session');
    expect(pressureBasisFor(acl, 1)).toBe('ramp');
    const longest = Math.max(...acl.plan.exercises.map((e) => e.dose.pressure.ramp.length));
    expect(pressureBasisFor(acl, longest - 2)).toBe('ramp');
    expect(pressureBasisFor(acl, longest - 1)).toBe('working');

    const second = programFromPlan(acl, {
      programId: 'prg-second',
      bindings: BOTH_THIGHS,
      pressureBasis: 'ramp',
      completedSessions: 1,
    });
    expect(second.blocks).toHaveLength(acl.plan.exercises.length);
    second.blocks.forEach((block, i) => {
      const { pressure } = acl.plan.exercises[i].dose;
      expect([block.targetPct, block.targetMmHg]).toEqual([pressure.ramp[1].lopPercent, pressure.ramp[1].mmHg]);
      expect(block.targetMmHg).toBeGreaterThan(pressure.startMmHg);
      expect(block.targetMmHg).toBeLessThan(pressure.mmHg);
    });
    expect(checkProgram(second, NOON)).toEqual([]);
  });

  it('uses the first-session pressure and only as many exercises as the first session allows', () => {
    const program = programFromPlan(acl, {
      programId: 'prg-first',
      bindings: BOTH_THIGHS,
      pressureBasis: 'first-session',
    });
    const first = acl.plan.exercises.slice(0, acl.plan.schedule.maxExercisesFirstSession.value);

    expect(sessionExercises(acl, 'first-session')).toEqual(first);
    expect(program.blocks.map((b) => [b.exerciseId, b.targetPct, b.targetMmHg])).toEqual(
      first.map((e) => [e.exercise.id, e.dose.pressure.startLopPercent, e.dose.pressure.startMmHg]),
    );
    expect(checkProgram(program, NOON)).toEqual([]);
  });

  it('runs continuous aerobic BFR as one bout within the cuff block limit', async () => {
    const standing = (side: 'left' | 'right', mmHg: number) =>
      prescriptionLimb(side, mmHg, {
        lop: [{ mmHg, method: 'doppler', position: 'standing', cuffWidthCm: 11.5, measuredOn: SCREENED_ON }],
      });
    const running = approved(
      await planFor(
        patellofemoralRequest({
          limbs: [standing('left', 230), standing('right', 240)],
          indication: { condition: 'return-to-running', side: 'left', onsetDate: '2026-10-09', weightBearing: 'full' },
          goal: 'return-to-running',
        }),
      ),
    );
    const program = programFromPlan(running, {
      programId: 'prg-walk',
      bindings: BOTH_THIGHS,
      pressureBasis: 'working',
    });
    const walks = program.blocks.filter((b) => b.exerciseId === 'bfr-treadmill-walking');

    expect(walks).toHaveLength(2);
    walks.forEach((block) =>
      expect(block).toMatchObject({
        mode: 'intermittent',
        inflatedDuringRest: false,
        sets: [{ reps: 0, workS: 15 * 60 }],
      }),
    );
    expect(Math.max(...walks.map(blockOcclusionS))).toBeLessThanOrEqual(DEVICE_LIMITS.maxBlockInflationS);
    expect(checkProgram(program, NOON)).toEqual([]);
  });

  it('sends an LOP the plan carried to a lying position to the cuff as measured, with the set point as its share of it', async () => {
    const seated = (side: 'left' | 'right', mmHg: number) =>
      prescriptionLimb(side, mmHg, {
        lop: [{ mmHg, method: 'doppler', position: 'seated', cuffWidthCm: 11.5, measuredOn: SCREENED_ON }],
      });
    const plan = approved(
      await planFor(patellofemoralRequest({ limbs: [seated('left', 200), seated('right', 205)], goal: 'strength' })),
    );
    const lying = plan.plan.exercises.filter((e) => e.exercise.position === 'supine');
    expect(lying.length).toBeGreaterThan(0);

    const program = programFromPlan(plan, { programId: 'prg-lying', bindings: BOTH_THIGHS, pressureBasis: 'working' });
    expect(program.cuffs.map((c) => [c.site.side, c.lopMmHg, c.lopPosture])).toEqual([['left', 200, 'seated']]);
    for (const exercise of lying) {
      const block = program.blocks[exercise.order - 1];
      expect(exercise.dose.pressure.lop.positionAdjustment).toMatchObject({
        fromMmHg: 200,
        fromPosition: 'seated',
        toPosition: 'supine',
      });
      expect(block.targetMmHg).toBe(exercise.dose.pressure.mmHg);
      expect(block.targetPct).toBeLessThan(exercise.dose.pressure.lopPercent);
    }
    expect(checkProgram(program, NOON)).toEqual([]);
  });

  it('turns timed bouts into blocks deflated between bouts', async () => {
    const early = approved(
      await planFor(
        prescriptionRequest({
          surgeryDate: '2026-11-10',
          indication: {
            ...prescriptionRequest().indication,
            surgeryDate: '2026-11-10',
            weightBearing: 'non-weight-bearing',
          },
        }),
      ),
    );
    const bouts = early.plan.exercises.filter((e) => e.dose.bouts.value !== null);
    expect(bouts.length).toBeGreaterThan(0);

    const program = programFromPlan(early, { programId: 'prg-bouts', bindings: BOTH_THIGHS, pressureBasis: 'working' });
    for (const exercise of bouts) {
      const block = program.blocks[early.plan.exercises.indexOf(exercise)];
      const value = exercise.dose.bouts.value!;
      expect(block).toMatchObject({
        inflatedDuringRest: false,
        setRestS: value.restSeconds,
        mode: exercise.exercise.modality === 'aerobic' ? 'intermittent' : 'passive',
      });
      expect(block.sets).toEqual(Array.from({ length: value.count }, () => ({ reps: 0, workS: value.minutes * 60 })));
    }
  });

  it('refuses a site without a bound channel, naming the site, and sends nothing', () => {
    const error = refusal(() =>
      programFromPlan(acl, { programId: 'prg-x', bindings: [BOTH_THIGHS[0]], pressureBasis: 'working' }),
    );

    expect(error.code).toBe(ErrorCode.ProgramRefused);
    expect(error.detail).toContain('right thigh');
    expect(error.detail).toContain('before anything was sent');
  });

  it('refuses a plan that is not approved', () => {
    expect(
      refusal(() =>
        programFromPlan(
          { ...acl, status: 'draft' },
          { programId: 'prg-x', bindings: BOTH_THIGHS, pressureBasis: 'working' },
        ),
      ).code,
    ).toBe(ErrorCode.PrescriptionStateConflict);
  });

  it('refuses an estimated LOP: a cuff program needs a measured one', () => {
    const estimated: Prescription = structuredClone(acl);
    estimated.plan.exercises[0].dose.pressure.lop = {
      ...estimated.plan.exercises[0].dose.pressure.lop,
      source: 'estimated',
      method: null,
      measuredOn: null,
    };

    const error = refusal(() =>
      programFromPlan(estimated, { programId: 'prg-x', bindings: BOTH_THIGHS, pressureBasis: 'working' }),
    );
    expect(error.code).toBe(ErrorCode.ProgramRefused);
    expect(error.detail).toMatch(/left thigh is an estimate/);
  });

  it('refuses two LOPs on one cuff, since a program carries one LOP per cuff', () => {
    const twoLops: Prescription = structuredClone(acl);
    const left = twoLops.plan.exercises.filter((e) => e.site.side === 'left');
    expect(left.length).toBeGreaterThan(1);
    left[1].dose.pressure.lop = { ...left[1].dose.pressure.lop, mmHg: 210, position: 'seated' };

    const error = refusal(() =>
      programFromPlan(twoLops, { programId: 'prg-x', bindings: BOTH_THIGHS, pressureBasis: 'working' }),
    );
    expect(error.detail).toContain('the exercises on the left thigh use two LOPs (190 mmHg supine, 210 mmHg seated)');
  });
});

/** Clean screenings across conditions, phases and goals, both thighs measured today in a random position. */
const requestArb = fc
  .record({
    condition: fc.constantFrom(...Condition.options),
    side: fc.constantFrom('left' as const, 'right' as const),
    daysSince: fc.integer({ min: 0, max: 200 }),
    weightBearing: fc.constantFrom(...WeightBearing.options),
    goal: fc.constantFrom(...Goal.options),
    newToBfr: fc.constantFrom('yes' as const, 'no' as const),
    left: fc.integer({ min: 110, max: 300 }),
    right: fc.integer({ min: 110, max: 300 }),
    position: fc.constantFrom('supine' as const, 'seated' as const, 'standing' as const),
  })
  .map((r): PrescriptionRequest => {
    const surgical = CONDITIONS[r.condition].surgical;
    const date = new Date(Date.parse(SCREENED_ON) - r.daysSince * 86_400_000).toISOString().slice(0, 10);
    const base = prescriptionRequest();
    const limb = (side: 'left' | 'right', mmHg: number) =>
      prescriptionLimb(side, mmHg, {
        lop: [{ mmHg, method: 'doppler', position: r.position, cuffWidthCm: 11.5, measuredOn: SCREENED_ON }],
      });
    return {
      ...base,
      answers: { ...base.answers, recentSurgery: surgical ? 'yes' : 'no', surgeonApprovedBfr: 'yes' },
      surgeryDate: surgical ? date : undefined,
      limbs: [limb('left', r.left), limb('right', r.right)],
      indication: {
        condition: r.condition,
        side: r.side,
        weightBearing: r.weightBearing,
        ...(surgical ? { surgeryDate: date } : { onsetDate: date }),
      },
      goal: r.goal,
      newToBfr: r.newToBfr,
    };
  });

describe('programFromPlan over generated plans', () => {
  it(
    'traces every value of the program to the plan, and the server check passes it but for what the cuff counts more strictly',
    async () => {
      let programs = 0;
      await fc.assert(
        fc.asyncProperty(
          requestArb,
          fc.constantFrom('working' as const, 'first-session' as const, 'ramp' as const),
          fc.integer({ min: 1, max: 6 }),
          async (request, pressureBasis, completedSessions) => {
            let plan: Plan;
            try {
              plan = await planFor(request);
            } catch (error) {
              if (error instanceof DomainError) {
                return;
              }
              throw error;
            }
            const prescription = approved(plan);
            const program = programFromPlan(prescription, {
              programId: 'prg-gen',
              bindings: BOTH_THIGHS,
              pressureBasis,
              completedSessions,
            });
            programs += 1;
            const exercises = sessionExercises(prescription, pressureBasis);
            expect(program.blocks).toHaveLength(exercises.length);
            exercises.forEach((exercise, i) => {
              const block = program.blocks[i];
              const cuff = program.cuffs.find((c) => c.channel === block.channel)!;
              const { pressure } = exercise.dose;
              expect(cuff.site).toEqual(exercise.site);
              // An LOP carried to a lower-LOP position goes to the cuff as measured, the set point as its share of it.
              const adjustment = pressure.lop.positionAdjustment;
              expect(cuff.lopMmHg).toBe(adjustment ? adjustment.fromMmHg : pressure.lop.mmHg);
              expect(cuff.lopPosture).toBe(pressure.lop.position);
              expect(block.exerciseId).toBe(exercise.exercise.id);
              const step = pressure.ramp[Math.min(completedSessions, pressure.ramp.length - 1)];
              const [percent, mmHg] = {
                working: [pressure.lopPercent, pressure.mmHg],
                'first-session': [pressure.startLopPercent, pressure.startMmHg],
                ramp: [step.lopPercent, step.mmHg],
              }[pressureBasis];
              expect(block.targetMmHg).toBe(mmHg);
              expect(block.targetPct).toBe(adjustment ? Math.round((mmHg / adjustment.fromMmHg) * 1000) / 10 : percent);
              expect(block.targetMmHg).toBeLessThanOrEqual(pressure.mmHg);
              expect(block.reperfusionS).toBe(exercise.dose.reperfusion.seconds);
              expect(blockOcclusionS(block) / 60).toBeCloseTo(exercise.dose.inflatedMinutes, 0);
            });
            // The plan passed the envelope; what is left is what the cuff counts more strictly: more than
            // six blocks on a limb, and bouts deflated between them counted together as one block's occlusion.
            const expected = program.blocks.flatMap((block, i) =>
              !block.inflatedDuringRest && blockOcclusionS(block) > DEVICE_LIMITS.maxBlockInflationS
                ? [`blocks.${i}.sets SR-4`]
                : [],
            );
            const breaches = checkProgram(program, NOON).filter(
              (b) => !(b.requirement === 'SR-6' && /blocks, more than/.test(b.message)),
            );
            expect(breaches.map((b) => `${b.path} ${b.requirement}`)).toEqual(expected);
          },
        ),
        { numRuns: propertyRuns() },
      );
      expect(programs).toBeGreaterThan(propertyRuns() / 10);
    },
    propertyTimeoutMs(30_000),
  );
});
