import type { DocumentReference } from '@medplum/fhirtypes';

import { LOINC } from './codes';
import { urnFor } from './fhir-ids';
import { idFor, type PlanSource, PRESCRIPTION_SYSTEM, subjectOf, userReference } from './plan-source';

export const HANDOUT_LANGUAGES = ['en', 'es'] as const;

/**
 * The patient handout of a stored plan, one attachment per language, each a link to the handout
 * route (`GET /v1/prescriptions/{id}/handout.pdf?lang=`), which checks the reader's role and
 * organization and records the disclosure in the audit trail. A draft plan's handout is preliminary.
 */
export function handoutDocumentFor(
  source: PlanSource & { prescription: NonNullable<PlanSource['prescription']> },
  baseUrl: string,
  carePlanId: string,
): DocumentReference {
  const { prescription } = source;
  const url = (lang: string) => `${baseUrl}/v1/prescriptions/${prescription.id}/handout.pdf?lang=${lang}`;
  const author = prescription.approval?.by ?? prescription.createdBy;
  return {
    resourceType: 'DocumentReference',
    id: idFor(source, 'DocumentReference/handout'),
    identifier: [{ system: PRESCRIPTION_SYSTEM, value: `${prescription.id}/handout` }],
    status: 'current',
    docStatus: prescription.status === 'approved' ? 'final' : 'preliminary',
    type: { coding: [LOINC.patientInstructions], text: 'BFR training handout for the patient' },
    subject: subjectOf(source),
    date: prescription.approval?.at ?? prescription.createdAt,
    author: [userReference(author)],
    description:
      prescription.status === 'approved'
        ? 'Patient handout of the approved BFR plan.'
        : `Patient handout of a ${prescription.status} BFR plan, marked "DRAFT - not for use" on every page when not approved.`,
    content: HANDOUT_LANGUAGES.map((lang) => ({
      attachment: {
        contentType: 'application/pdf',
        language: lang,
        url: url(lang),
        title: `BFR plan, version ${prescription.version} (${lang})`,
      },
    })),
    context: { related: [{ reference: urnFor(carePlanId) }] },
  };
}
