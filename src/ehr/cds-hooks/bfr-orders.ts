import { BFR, BFR_SYSTEM, SNOMED } from '../fhir/codes';
import type { PlannedSite } from '../fhir/screening-request-from-draft';
import { codings, field, list, referenceTo } from '../fhir/record-values';
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
  return orders.filter((order) => isBfrOrder(order) && (selections === undefined || selections.includes(referenceTo(order))));
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
  return sites.size > 0 ? { sites: [...sites.values()], fromOrder: true } : assumed;
}
