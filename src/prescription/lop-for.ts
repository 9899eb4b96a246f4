import type { Evaluation, RuleCatalogue } from '../rules/catalogue';
import { daysBetween } from '../screening/screening-facts';
import { LIMB_ITEMS, PATIENT_ITEMS } from '../screening/screening-items';
import type { Verdict } from '../screening/screening.ruleset';
import type { ScreeningOutcome } from '../screening/screening.schema';
import type { BodyPosition } from './indication';
import { estimateLop, type LopEquation, lopEquations, outsidePopulation, type PredictorValues } from './lop-equations';
import { lopPositions, positionEffect } from './lop-positions';
import type { ResolvedLop, RuleRef } from './plan.schema';
import type { LopMeasurement, PrescriptionLimb, PrescriptionRequest } from './prescription-request.schema';
import { lopFindingParamsOf } from './rule-params';
import { ruleRef } from './rule-settings';

const PATIENT_ITEM_NAMES = Object.keys(PATIENT_ITEMS);
const LIMB_ITEM_NAMES = Object.keys(LIMB_ITEMS);

export interface LopFinding {
  action: 'remeasure' | 'caution' | 'warning';
  rule: RuleRef;
  clinicianMessage: string;
  patientMessage: string | null;
}

export interface LopResolution {
  site: Pick<PrescriptionLimb, 'limb' | 'side'>;
  position: BodyPosition;
  /** null when no LOP could be had; a `remeasure` finding then says why. */
  lop: ResolvedLop | null;
  findings: LopFinding[];
  /** Why no estimate was made: each range of a matching equation's population the patient is outside. */
  estimateRefusals: string[];
  /** The LOP rules' run; its trace is built when read. */
  evaluation: Evaluation;
}

/**
 * The measurement that best fits the exercise: same cuff and position, then same cuff, then same
 * position, most recent first. A poorer fit is still handed to the rules, which decide whether it
 * may be used with a caution or must be measured again.
 */
function bestMeasurement(site: PrescriptionLimb, position: BodyPosition): LopMeasurement | undefined {
  const fit = (m: LopMeasurement) => (m.cuffWidthCm === site.cuffWidthCm ? 2 : 0) + (m.position === position ? 1 : 0);
  return [...site.lop].sort(
    (a, b) => fit(b) - fit(a) || (a.measuredOn < b.measuredOn ? 1 : a.measuredOn > b.measuredOn ? -1 : 0),
  )[0];
}

/**
 * An estimate from the first enabled equation derived on this limb with this cuff width whose
 * population the patient belongs to; otherwise why each matching equation could not be used.
 */
function estimateFor(
  equations: readonly LopEquation[],
  site: PrescriptionLimb,
  request: PrescriptionRequest,
  ageYears: number,
) {
  const values: PredictorValues = {
    limbCircumferenceCm: site.circumferenceCm ?? null,
    systolicBp: request.bloodPressure?.systolic ?? null,
    diastolicBp: request.bloodPressure?.diastolic ?? null,
    ageYears,
    sex: request.patient.sex,
  };
  const outside: string[] = [];
  for (const equation of equations) {
    if (!equation.enabled || equation.limb !== site.limb || equation.cuffWidthCm !== site.cuffWidthCm) {
      continue;
    }
    const reasons = outsidePopulation(equation, values);
    if (reasons.length > 0) {
      outside.push(...reasons);
      continue;
    }
    const estimate = estimateLop(equation, values);
    if ('mmHg' in estimate) {
      return { estimate: { equation, pointMmHg: estimate.mmHg }, outside };
    }
  }
  return { estimate: undefined, outside };
}

/**
 * `lopFor(site, position)`: the LOP the pressures of exercises done in `position` at this cuff site
 * are computed from, with what the LOP rules say about it. A measured LOP is preferred; an
 * estimate is only offered to the rules when an enabled equation matches the cuff and the patient
 * is inside the population it was derived in, and pressures are then computed from the lower end
 * of its ± 2·SEE range. An LOP taken in a higher-LOP position than the exercise's is carried to
 * the exercise's position by the smallest drop the sources report (rules-data/lop-positions), so
 * that every %LOP is a share of the LOP in the exercise's own position; when the size of that
 * drop is unknown, the LOP is not used.
 */
export async function lopFor(
  catalogue: RuleCatalogue,
  request: PrescriptionRequest,
  /** The request's patient facts on `generatedOn` (`patientFacts`), the same for every site and position. */
  patient: Record<string, unknown>,
  screening: ScreeningOutcome,
  site: PrescriptionLimb,
  position: BodyPosition,
  generatedOn: string,
): Promise<LopResolution> {
  const measured = bestMeasurement(site, position);
  const { estimate, outside } = measured
    ? { estimate: undefined, outside: [] }
    : estimateFor(catalogue.table(lopEquations).equations, site, request, patient.ageYears as number);
  const siteVerdict: Verdict =
    screening.limbs.find((l) => l.limb === site.limb && l.side === site.side)?.verdict ?? 'incomplete';

  const siteFindings = site.findings as Record<string, string | undefined>;
  // Filled key by key rather than spread from entries: this runs for every site and position of a plan.
  const facts: Record<string, unknown> = {};
  for (const item of PATIENT_ITEM_NAMES) {
    facts[item] = patient[item];
  }
  for (const item of LIMB_ITEM_NAMES) {
    facts[item] = siteFindings[item] ?? 'unknown';
  }
  Object.assign(facts, {
    limb: site.limb,
    siteVerdict,
    systolicBp: patient.systolicBp,
    cuffWidthCm: site.cuffWidthCm,
    exercisePosition: position,
    lopSource: measured ? 'measured' : estimate ? 'estimated' : 'none',
    estimateOutsidePopulation: outside.length > 0 && !estimate,
    method: measured?.method ?? null,
    readings: measured?.readings ?? null,
    measuredPosition: measured?.position ?? null,
    measuredCuffWidthCm: measured?.cuffWidthCm ?? null,
    lopAgeDays: measured ? daysBetween(measured.measuredOn, generatedOn) : null,
    equationPosition: estimate ? (estimate.equation.position ?? 'not-stated') : null,
  });
  const evaluation = catalogue.evaluate('lop', facts);
  const findings: LopFinding[] = evaluation.fired.map((fired) => {
    const params = lopFindingParamsOf(fired);
    return {
      action: params.action,
      rule: ruleRef(fired),
      clinicianMessage: params.clinicianMessage,
      patientMessage: params.patientMessage ?? null,
    };
  });

  const taken = measured
    ? { mmHg: measured.mmHg, position: measured.position }
    : estimate
      ? { mmHg: estimate.pointMmHg - spreadOf(estimate.equation), position: estimate.equation.position }
      : null;
  const effect = taken ? positionEffect(catalogue.table(lopPositions), site.limb, taken.position, position) : null;
  if (effect?.kind === 'unknown') {
    // Safety, not policy: an LOP from a higher-LOP position of unknown size could occlude here.
    findings.push({
      action: 'remeasure',
      rule: effect.basis,
      clinicianMessage: `The LOP was taken ${taken!.position ?? 'in an unstated position'}, which gives a higher LOP than ${position} on the ${site.limb} by an unknown amount: measure it ${position}.`,
      patientMessage: 'We need to measure your cuff pressure again in the position you will exercise in.',
    });
  }
  const adjustment =
    taken && effect?.kind === 'higher'
      ? {
          fromMmHg: taken.mmHg,
          fromPosition: taken.position,
          toPosition: position,
          factor: effect.factor,
          basis: [effect.basis],
        }
      : null;
  const lop = effect?.kind === 'unknown' ? null : resolvedLop(measured, estimate, adjustment);
  return {
    site: { limb: site.limb, side: site.side },
    position,
    lop,
    findings,
    estimateRefusals: estimate ? [] : outside,
    evaluation,
  };
}

/** The LOP the pressures are computed from: the measurement, else the low end of the estimate, carried into the exercise's position. */
function resolvedLop(
  measured: LopMeasurement | undefined,
  estimate: { equation: LopEquation; pointMmHg: number } | undefined,
  adjustment: ResolvedLop['positionAdjustment'],
): ResolvedLop | null {
  // The LOP of the exercise's own position, never rounded up: every %LOP is a share of it.
  const inPosition = (mmHg: number) => (adjustment ? Math.floor(mmHg * adjustment.factor) : mmHg);
  if (measured) {
    return {
      mmHg: inPosition(measured.mmHg),
      source: 'measured',
      position: measured.position,
      cuffWidthCm: measured.cuffWidthCm,
      method: measured.method,
      measuredOn: measured.measuredOn,
      estimate: null,
      positionAdjustment: adjustment,
    };
  }
  if (estimate) {
    const spread = spreadOf(estimate.equation);
    return {
      mmHg: inPosition(estimate.pointMmHg - spread),
      source: 'estimated',
      position: estimate.equation.position,
      cuffWidthCm: estimate.equation.cuffWidthCm as number,
      method: null,
      measuredOn: null,
      estimate: {
        equationId: estimate.equation.id,
        equation: estimate.equation.name,
        pointMmHg: estimate.pointMmHg,
        rangeMmHg: { low: estimate.pointMmHg - spread, high: estimate.pointMmHg + spread },
      },
      positionAdjustment: adjustment,
    };
  }
  return null;
}

const spreadOf = (equation: LopEquation) => Math.round(2 * (equation.see as number));
