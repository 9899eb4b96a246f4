import type { Resource } from '@medplum/fhirtypes';

import { DomainError, ErrorCode } from '../../common/problem';
import { generatePlan } from '../../prescription/generate-plan';
import { CONDITIONS, Goal } from '../../prescription/indication';
import type { Plan } from '../../prescription/plan.schema';
import { PrescriptionRequest } from '../../prescription/prescription-request.schema';
import type { RuleCatalogue } from '../../rules/catalogue';
import { clinicalRecordFrom } from '../fhir/clinical-record';
import type { MappedSource } from '../fhir/mapped-source';
import { prescriptionInputsFromFhir } from '../fhir/prescription-inputs-from-fhir';
import { day, field, referenceTo } from '../fhir/record-values';
import { INDICATION_SYSTEM, ORDER_DETAIL_SYSTEM, type OrderedIndication } from './bfr-orders';
import type { RecordScreening } from './record-screening';

/** A plan the rules make for one goal. */
export interface ProtocolOption {
  goal: Goal;
  plan: Plan;
}

export type Proposal =
  /** One plan per goal the rules can make a distinct plan for. */
  | { kind: 'plans'; options: ProtocolOption[]; recommended?: Goal; sources: MappedSource[] }
  /** The screening stops it: its own cards say why. */
  | { kind: 'screening' }
  /** What the order or the record lacks for a plan, or why the rules make none; with the rules that said so. */
  | { kind: 'none'; reasons: string[]; ruleIds: string[] };

const SCREENING_REFUSALS = new Set([
  ErrorCode.Contraindicated,
  ErrorCode.ScreeningIncomplete,
  ErrorCode.ReferralRequired,
]);

/** The onset of the Conditions the order is for: onset, else the day it was recorded. */
function onsetOf(reasons: string[], resources: Resource[]): string | undefined {
  const conditions = clinicalRecordFrom(resources).conditions.filter((c) => reasons.includes(referenceTo(c)));
  return conditions
    .map(
      (c) =>
        day(field(c, 'onsetDateTime')) ?? day(field(field(c, 'onsetPeriod'), 'start')) ?? day(field(c, 'recordedDate')),
    )
    .find((d) => d !== undefined);
}

/** The prescription request, checked once per goal, or what the order and the record lack for one. */
type Candidate = { request: Record<string, unknown>; sources: MappedSource[] } | { lacks: string[] };

/** The prescription request the order and the record make, less its goal; every missing detail is named. */
function candidateFrom(
  catalogue: RuleCatalogue,
  screening: RecordScreening & { request: NonNullable<RecordScreening['request']> },
  ordered: OrderedIndication,
  resources: Resource[],
  planOn: string,
): Candidate {
  const inputs = prescriptionInputsFromFhir(clinicalRecordFrom(resources), catalogue, planOn);
  const lacks: string[] = [];
  const sites = screening.sites;
  if (sites.origin === 'assumed') {
    lacks.push('the cuff site: the order names none (bodySite with a bfr-rx cuff-site code)');
  }
  const condition = ordered.condition;
  if (!condition) {
    lacks.push(`what the order treats: a reasonCode from ${INDICATION_SYSTEM}`);
  }
  if (!ordered.weightBearing) {
    lacks.push(
      `the weight bearing allowed: an orderDetail weight-bearing-full, -partial or -non-weight-bearing from ${ORDER_DETAIL_SYSTEM}`,
    );
  }
  const sides = [...new Set(sites.sites.map((s) => s.side))];
  const side = ordered.injuredSide ?? (sides.length === 1 ? sides[0] : undefined);
  if (!side) {
    lacks.push(`the injured side: an orderDetail injured-side-left or -right from ${ORDER_DETAIL_SYSTEM}`);
  }
  const surgical = condition ? CONDITIONS[condition].surgical : false;
  const onsetDate = condition && !surgical ? onsetOf(ordered.reasons, resources) : undefined;
  if (condition && surgical && !inputs.surgeryDate) {
    lacks.push('the date of the operation: no completed surgical Procedure in the record');
  }
  if (condition && !surgical && !onsetDate) {
    lacks.push('the onset: the order names no Condition with an onset (reasonReference)');
  }
  const limbs = sites.sites.map((site) => {
    const measured = inputs.limbs.find((l) => l.limb === site.limb && l.side === site.side);
    const screened = screening.request.limbs.find((l) => l.limb === site.limb && l.side === site.side)!;
    const cuffWidthCm = measured?.lop[0]?.cuffWidthCm;
    if (cuffWidthCm === undefined) {
      lacks.push(
        `the cuff at the ${site.side} ${site.limb}: no usable LOP measured there (it gives the cuff width the pressures hold for)`,
      );
    }
    const circumferenceCm = screened.circumferenceCm ?? measured?.circumferenceCm;
    return {
      ...screened,
      ...(circumferenceCm !== undefined ? { circumferenceCm } : {}),
      cuffWidthCm,
      lop: measured?.lop ?? [],
    };
  });
  if (lacks.length > 0) {
    return { lacks };
  }
  const { patient, answers, surgeryDate, bloodPressure, clearances } = screening.request;
  const request = {
    patient,
    answers,
    ...(surgeryDate ? { surgeryDate } : {}),
    ...(bloodPressure ? { bloodPressure } : {}),
    ...(clearances?.length ? { clearances } : {}),
    limbs,
    indication: {
      condition,
      side,
      weightBearing: ordered.weightBearing,
      ...(surgical ? { surgeryDate: inputs.surgeryDate } : { onsetDate }),
    },
  };
  return { request, sources: inputs.sources };
}

/**
 * The BFR plans the rules make for the selected order: the screening, the order's indication and
 * cuff sites, and the LOP measured at each site, for every goal, keeping the distinct plans. Every
 * detail the order or the record lacks is named; nothing is guessed.
 */
export async function proposeProtocols(
  catalogue: RuleCatalogue,
  screening: RecordScreening,
  ordered: OrderedIndication,
  resources: Resource[],
  planOn: string,
): Promise<Proposal> {
  const screened = screening.request;
  if (!screened || screening.lacking.length > 0 || screening.refused.length > 0) {
    return { kind: 'screening' };
  }
  const candidate = candidateFrom(catalogue, { ...screening, request: screened }, ordered, resources, planOn);
  if ('lacks' in candidate) {
    return { kind: 'none', reasons: candidate.lacks, ruleIds: [] };
  }
  const options: ProtocolOption[] = [];
  const refusals = new Map<string, string[]>();
  for (const goal of Goal.options) {
    const request = PrescriptionRequest.safeParse({ ...candidate.request, goal });
    if (!request.success) {
      return {
        kind: 'none',
        reasons: [...new Set(request.error.issues.map((i) => `${i.path.join('.')} ${i.message}`))],
        ruleIds: [],
      };
    }
    try {
      const { plan } = await generatePlan(catalogue, request.data, planOn);
      const shape = JSON.stringify([plan.exercises, plan.schedule]);
      if (!options.some((o) => JSON.stringify([o.plan.exercises, o.plan.schedule]) === shape)) {
        options.push({ goal, plan });
      }
    } catch (error) {
      if (!(error instanceof DomainError)) {
        throw error;
      }
      if (SCREENING_REFUSALS.has(error.code)) {
        return { kind: 'screening' };
      }
      const lop = (error.extensions?.lopFindings as Array<{ ruleId: string }> | undefined)?.map((f) => f.ruleId) ?? [];
      refusals.set(error.detail, [...new Set([...(refusals.get(error.detail) ?? []), ...lop])]);
    }
  }
  if (options.length === 0) {
    return { kind: 'none', reasons: [...refusals.keys()], ruleIds: [...new Set([...refusals.values()].flat())] };
  }
  const recommended = options.some((o) => o.goal === ordered.goal) ? ordered.goal : undefined;
  return { kind: 'plans', options, ...(recommended ? { recommended } : {}), sources: candidate.sources };
}
