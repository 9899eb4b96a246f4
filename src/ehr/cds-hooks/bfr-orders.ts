import { Condition, Goal, WeightBearing } from '../../prescription/indication';
import { BFR, BFR_SYSTEM, CANONICAL, SNOMED } from '../fhir/codes';
import { codings, field, list, referenceTo, text } from '../fhir/record-values';
import type { PlannedSite } from '../fhir/screening-request-from-draft';
import type { FhirResource } from './cds-hooks.schema';
import type { CuffSites } from './record-screening';

const CUFF_SITE = new RegExp(`^cuff-site-(thigh|upper-arm)-(left|right)$`);

const same = (coding: { system?: string; code?: string }, wanted: { system?: string; code?: string }) =>
  coding.system === wanted.system && coding.code === wanted.code;

/** A draft BFR or exercise therapy order: a ServiceRequest coded so, or a BFR cuff DeviceRequest. */
export function isBfrOrder(resource: FhirResource): boolean {
  if (resource.resourceType === 'ServiceRequest') {
    const coded = [...list(field(resource, 'category')).flatMap(codings), ...codings(field(resource, 'code'))];
    return coded.some((c) => same(c, BFR.bfrExercise) || same(c, BFR.bfrProgramme) || same(c, SNOMED.exerciseTherapy));
  }
  if (resource.resourceType === 'DeviceRequest') {
    return codings(field(resource, 'codeCodeableConcept')).some((c) => same(c, BFR.cuff));
  }
  return false;
}

/** The draft orders of a hook's `draftOrders` Bundle. */
export function draftOrders(bundle: { entry?: Array<{ resource: FhirResource }> }): FhirResource[] {
  return (bundle.entry ?? []).map((entry) => entry.resource);
}

/** The BFR orders among the drafts; for order-select, only the ones just selected. */
export function bfrOrders(orders: FhirResource[], selections?: string[]): FhirResource[] {
  return orders.filter(
    (order) => isBfrOrder(order) && (selections === undefined || selections.includes(referenceTo(order))),
  );
}

/** The cuff sites the orders name (bfr-rx cuff-site codes in ServiceRequest.bodySite); both thighs assumed when none does. */
export function cuffSitesOf(orders: FhirResource[], assumed: CuffSites): CuffSites {
  const sites = new Map<string, PlannedSite>();
  for (const order of orders) {
    for (const site of list(field(order, 'bodySite'))) {
      for (const coding of codings(site)) {
        const match = coding.system === BFR_SYSTEM ? CUFF_SITE.exec(coding.code ?? '') : null;
        if (match) {
          sites.set(match[0], { limb: match[1] as PlannedSite['limb'], side: match[2] as PlannedSite['side'] });
        }
      }
    }
  }
  return sites.size > 0 ? { sites: [...sites.values()], origin: 'order' } : assumed;
}

/** What a drafted BFR order treats: bfr-rx indication codes in `ServiceRequest.reasonCode`. */
export const INDICATION_SYSTEM = `${CANONICAL}/CodeSystem/bfr-indication`;
/** Details of a drafted BFR order in `ServiceRequest.orderDetail`: weight bearing, injured side, goal. */
export const ORDER_DETAIL_SYSTEM = `${CANONICAL}/CodeSystem/bfr-order-detail`;

/** What the selected BFR orders say about the indication; a field left out is one they do not say. */
export interface OrderedIndication {
  condition?: Condition;
  weightBearing?: WeightBearing;
  injuredSide?: 'left' | 'right';
  goal?: Goal;
  /** The Conditions the order is for (`reasonReference`), to read the onset from. */
  reasons: string[];
}

/** Reads the bfr-rx codes of the selected BFR orders (see the README, "CDS Hooks"). */
export function orderedIndication(orders: FhirResource[]): OrderedIndication {
  const indication: OrderedIndication = { reasons: [] };
  for (const order of orders) {
    for (const coding of list(field(order, 'reasonCode')).flatMap(codings)) {
      const parsed = Condition.safeParse(coding.code);
      if (coding.system === INDICATION_SYSTEM && parsed.success) {
        indication.condition ??= parsed.data;
      }
    }
    for (const coding of list(field(order, 'orderDetail')).flatMap(codings)) {
      if (coding.system !== ORDER_DETAIL_SYSTEM) {
        continue;
      }
      const code = coding.code!;
      const after = (prefix: string) => (code.startsWith(prefix) ? code.slice(prefix.length) : undefined);
      const bearing = WeightBearing.safeParse(after('weight-bearing-'));
      if (bearing.success) indication.weightBearing ??= bearing.data;
      const side = after('injured-side-');
      if (side === 'left' || side === 'right') indication.injuredSide ??= side;
      const goal = Goal.safeParse(after('goal-'));
      if (goal.success) indication.goal ??= goal.data;
    }
    for (const reason of list(field(order, 'reasonReference'))) {
      const reference = text(field(reason, 'reference'));
      if (reference?.startsWith('Condition/')) {
        indication.reasons.push(reference);
      }
    }
  }
  return indication;
}
