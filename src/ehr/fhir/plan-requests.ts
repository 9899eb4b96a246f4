import type { DeviceRequest, Extension, ServiceRequest, Timing } from '@medplum/fhirtypes';

import type { PlannedExercise, RuleRef } from '../../prescription/plan.schema';
import { BFR, CANONICAL, SNOMED, ucum } from './codes';
import { urnFor } from './fhir-ids';
import { EXERCISE_SYSTEM, idFor, type PlanSource, PRESCRIPTION_SYSTEM, requestStatus, subjectOf } from './plan-source';

/** The extension that carries an exercise's dose, which R4 ServiceRequest has no elements for. */
export const EXERCISE_DOSE_EXTENSION = `${CANONICAL}/StructureDefinition/bfr-exercise-dose`;

const siteText = (e: PlannedExercise) => `${e.site.side} ${e.site.limb.replace('-', ' ')}`;
const blockName = (e: PlannedExercise) => `exercise-${e.order}`;

/** The order of an exercise block inside the plan's Bundle. */
export const serviceRequestId = (source: PlanSource, exercise: PlannedExercise) =>
  idFor(source, `ServiceRequest/${blockName(exercise)}`);
export const deviceRequestId = (source: PlanSource, exercise: PlannedExercise) =>
  idFor(source, `DeviceRequest/${blockName(exercise)}`);

function timing(source: PlanSource): Timing {
  const { sessionsPerWeek, programWeeks } = source.plan.schedule;
  return {
    repeat: {
      frequency: sessionsPerWeek.value.min,
      ...(sessionsPerWeek.value.max > sessionsPerWeek.value.min ? { frequencyMax: sessionsPerWeek.value.max } : {}),
      period: 1,
      periodUnit: 'wk',
      boundsDuration: ucum(programWeeks.value, 'wk'),
    },
  };
}

const rules = (basis: readonly RuleRef[]) => basis.map((r) => `${r.ruleId} v${r.version}`).join(', ');

/** The dose in words, as the clinician and the patient read it; the same values as the extension. */
export function doseText(e: PlannedExercise): string {
  const { dose } = e;
  const parts = [`${e.exercise.name}, cuff on the ${siteText(e)}`];
  if (dose.sets.value) {
    parts.push(
      `${dose.sets.value.length} sets of ${dose.sets.value.join('-')} reps, ${dose.restBetweenSets.seconds} s rest with the cuff inflated`,
    );
  }
  if (dose.bouts.value) {
    parts.push(
      `${dose.bouts.value.count} bouts of ${dose.bouts.value.minutes} min, ${dose.bouts.value.restSeconds} s deflated between`,
    );
  }
  if (dose.intensity.value) {
    parts.push(dose.intensity.value);
  }
  parts.push(
    `cuff at ${dose.pressure.lopPercent} % LOP (${dose.pressure.mmHg} mmHg), first session ${dose.pressure.startLopPercent} % (${dose.pressure.startMmHg} mmHg)`,
  );
  if (dose.load.kind === 'external' && dose.load.percent1RM !== null) {
    parts.push(`load ${dose.load.percent1RM} % 1RM${dose.load.kg !== null ? ` (${dose.load.kg} kg)` : ''}`);
  }
  if (dose.tempo.value) {
    parts.push(`tempo ${dose.tempo.value.concentricSeconds} s up, ${dose.tempo.value.eccentricSeconds} s down`);
  }
  parts.push(
    `at most ${dose.maxContinuousMinutes.value} min inflated without a break; cuff deflated ${dose.reperfusion.seconds} s afterwards`,
  );
  return `${parts.join('; ')}.`;
}

function doseExtension(e: PlannedExercise): Extension {
  const { dose } = e;
  const sub: Extension[] = [];
  if (dose.sets.value) sub.push({ url: 'set-scheme', valueString: dose.sets.value.join('-') });
  if (dose.restBetweenSets.seconds !== null)
    sub.push({ url: 'rest-between-sets', valueDuration: ucum(dose.restBetweenSets.seconds, 's') });
  if (dose.load.percent1RM !== null)
    sub.push({ url: 'load-percent-1rm', valueQuantity: ucum(dose.load.percent1RM, '%') });
  if (dose.load.kg !== null) sub.push({ url: 'load', valueQuantity: ucum(dose.load.kg, 'kg') });
  if (dose.tempo.value)
    sub.push({
      url: 'tempo',
      valueString: `${dose.tempo.value.concentricSeconds}-${dose.tempo.value.eccentricSeconds}`,
    });
  if (dose.bouts.value)
    sub.push({
      url: 'bouts',
      valueString: `${dose.bouts.value.count} x ${dose.bouts.value.minutes} min, ${dose.bouts.value.restSeconds} s between`,
    });
  sub.push({ url: 'max-continuous-inflation', valueDuration: ucum(dose.maxContinuousMinutes.value, 'min') });
  sub.push({ url: 'reperfusion', valueDuration: ucum(dose.reperfusion.seconds, 's') });
  return { url: EXERCISE_DOSE_EXTENSION, extension: sub };
}

/**
 * The order for one exercise block of a plan: the exercise, where the cuff goes, how often, and the
 * dose (in words and in the bfr-exercise-dose extension), citing the rules that chose and dosed it.
 * Status `draft` for a plan not yet approved.
 */
export function serviceRequestFor(source: PlanSource, e: PlannedExercise): ServiceRequest {
  const id = serviceRequestId(source, e);
  const { dose } = e;
  return {
    resourceType: 'ServiceRequest',
    id,
    ...(source.prescription
      ? { identifier: [{ system: PRESCRIPTION_SYSTEM, value: `${source.prescription.id}/${blockName(e)}` }] }
      : {}),
    extension: [doseExtension(e)],
    status: requestStatus(source),
    intent: 'order',
    category: [{ coding: [BFR.bfrExercise] }],
    code: { coding: [SNOMED.exerciseTherapy], text: `BFR ${e.exercise.name}, ${siteText(e)}` },
    orderDetail: [{ coding: [{ system: EXERCISE_SYSTEM, code: e.exercise.id, display: e.exercise.name }] }],
    subject: subjectOf(source),
    occurrenceTiming: timing(source),
    ...(source.prescription?.approval ? { authoredOn: source.prescription.approval.at } : {}),
    bodySite: [{ coding: [BFR.cuffSite(e.site.limb, e.site.side)], text: `Cuff site: ${siteText(e)}` }],
    reasonCode: [{ text: source.plan.phase.label }],
    patientInstruction: doseText(e),
    note: [
      {
        text: `Chosen by ${rules(e.basis)}; pressure by ${rules(dose.pressure.basis.lopPercent)}; sets by ${rules(dose.sets.basis)}; load by ${rules(dose.load.basis)}; inflation limit by ${rules(dose.maxContinuousMinutes.basis)}. Ruleset ${source.plan.rulesetVersion}.`,
      },
    ],
  };
}

/**
 * The cuff setting for one exercise block: the LOP it is computed from, the working and
 * first-session pressure as % LOP and mmHg, the longest inflation and the deflation after, and the
 * cuff width the LOP holds for. Based on the block's ServiceRequest.
 */
export function deviceRequestFor(source: PlanSource, e: PlannedExercise): DeviceRequest {
  const { pressure } = e.dose;
  const lop = pressure.lop;
  const lopText =
    lop.source === 'measured'
      ? `LOP ${lop.mmHg} mmHg measured ${lop.measuredOn} (${lop.method}, ${lop.position}, ${lop.cuffWidthCm} cm cuff)`
      : `LOP ${lop.mmHg} mmHg estimated by ${lop.estimate?.equation} (lower end of ${lop.estimate?.rangeMmHg.low}-${lop.estimate?.rangeMmHg.high} mmHg): measure before use`;
  const carried = lop.positionAdjustment
    ? `; carried to ${lop.positionAdjustment.toPosition} from ${lop.positionAdjustment.fromMmHg} mmHg ${lop.positionAdjustment.fromPosition ?? 'in an unstated position'} × ${lop.positionAdjustment.factor}`
    : '';
  const parameter = (code: typeof BFR.lop, value: number, unit: string) => ({
    code: { coding: [code] },
    valueQuantity: ucum(value, unit),
  });
  return {
    resourceType: 'DeviceRequest',
    id: deviceRequestId(source, e),
    ...(source.prescription
      ? { identifier: [{ system: PRESCRIPTION_SYSTEM, value: `${source.prescription.id}/${blockName(e)}/cuff` }] }
      : {}),
    basedOn: [{ reference: urnFor(serviceRequestId(source, e)) }],
    status: requestStatus(source),
    intent: 'order',
    codeCodeableConcept: { coding: [BFR.cuff], text: `BFR pneumatic cuff, ${siteText(e)}, ${lop.cuffWidthCm} cm wide` },
    parameter: [
      parameter(BFR.lop, lop.mmHg, 'mm[Hg]'),
      parameter(BFR.targetPressurePercentLop, pressure.lopPercent, '%'),
      parameter(BFR.targetPressure, pressure.mmHg, 'mm[Hg]'),
      parameter(BFR.firstSessionPressurePercentLop, pressure.startLopPercent, '%'),
      parameter(BFR.firstSessionPressure, pressure.startMmHg, 'mm[Hg]'),
      parameter(BFR.maxOcclusionTime, e.dose.maxContinuousMinutes.value, 'min'),
      parameter(BFR.reperfusion, e.dose.reperfusion.seconds, 's'),
      parameter(BFR.cuffWidth, lop.cuffWidthCm, 'cm'),
    ],
    subject: subjectOf(source),
    occurrenceTiming: timing(source),
    ...(source.prescription?.approval ? { authoredOn: source.prescription.approval.at } : {}),
    note: [
      {
        text: `${lopText}${carried}. Pressure set by ${rules(pressure.basis.lopPercent)}; first session by ${rules(pressure.basis.startLopPercent)}.`,
      },
    ],
  };
}

/** Every exercise block's order and cuff setting, in session order. */
export function planRequests(
  source: PlanSource,
): Array<{ serviceRequest: ServiceRequest; deviceRequest: DeviceRequest }> {
  return source.plan.exercises.map((e) => ({
    serviceRequest: serviceRequestFor(source, e),
    deviceRequest: deviceRequestFor(source, e),
  }));
}
