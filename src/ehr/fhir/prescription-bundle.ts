import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

import type { Prescription } from '../../prescription/prescription.schema';
import { carePlanFor } from './care-plan';
import { urnFor } from './fhir-ids';
import { handoutDocumentFor } from './handout-document';
import { planProvenanceFor } from './plan-provenance';
import { planRequests } from './plan-requests';
import { idFor, type PlanSource, PRESCRIPTION_SYSTEM } from './plan-source';

const entry = (resource: Resource & { id?: string }): BundleEntry => ({ fullUrl: urnFor(resource.id!), resource });

/**
 * A stored plan as a FHIR R4 `collection` Bundle: the CarePlan, a ServiceRequest and a
 * DeviceRequest per exercise block, the handout as a DocumentReference and a Provenance. A
 * collection rather than a `document`: the plan is orders for the EHR to file, not an attested
 * narrative document, and a document Bundle would need a Composition and be immutable, while a
 * draft plan's Bundle changes on approval. The same prescription always gives the same Bundle.
 */
export function prescriptionBundle(prescription: Prescription, options: { baseUrl: string }): Bundle {
  const source: PlanSource & { prescription: Prescription } = { plan: prescription.plan, prescription };
  const requests = planRequests(source);
  const orderIds = requests.flatMap(({ serviceRequest, deviceRequest }) => [serviceRequest.id!, deviceRequest.id!]);
  const carePlan = carePlanFor(source, orderIds);
  const handout = handoutDocumentFor(source, options.baseUrl, carePlan.id!);
  const provenance = planProvenanceFor(source, [carePlan.id!, ...orderIds, handout.id!]);
  return {
    resourceType: 'Bundle',
    id: idFor(source, 'Bundle'),
    identifier: { system: PRESCRIPTION_SYSTEM, value: prescription.id },
    type: 'collection',
    timestamp: provenance.recorded,
    entry: [carePlan, ...requests.flatMap((r) => [r.serviceRequest, r.deviceRequest]), handout, provenance].map(entry),
  };
}
