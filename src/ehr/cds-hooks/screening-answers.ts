import type { Questionnaire, Resource } from '@medplum/fhirtypes';

import type { ScreeningRequest } from '../../screening/screening.schema';
import { QuestionnaireResponse } from '../fhir/questionnaire-response.schema';
import { day, field, referenceTo, text } from '../fhir/record-values';
import { screeningFromQuestionnaireResponse } from '../fhir/screening-from-questionnaire-response';

/** A clinician's completed screening questionnaire, as the EHR keeps it. */
export interface ScreeningAnswers {
  request: ScreeningRequest;
  reference: string;
  /** The day the answers were given, when the response says. */
  authoredOn?: string;
}

const FINISHED = ['completed', 'amended'];

/**
 * The newest finished response to the bfr-rx screening questionnaire among the resources, read with
 * the questionnaire's own mapping. A response to another questionnaire is not looked at; one that
 * cannot be read is noted and not used.
 */
export function screeningAnswersFrom(resources: Resource[], questionnaire: Questionnaire, notes: string[]): ScreeningAnswers | undefined {
  const responses = resources
    .flatMap((resource) => (resource.resourceType === 'Bundle' ? (resource.entry ?? []).map((e) => e.resource) : [resource]))
    .filter((resource) => resource?.resourceType === 'QuestionnaireResponse')
    .filter((resource) => text(field(resource, 'questionnaire'))?.split('|')[0] === questionnaire.url)
    .filter((resource) => FINISHED.includes(text(field(resource, 'status')) ?? ''))
    .sort((a, b) => (text(field(b, 'authored')) ?? '').localeCompare(text(field(a, 'authored')) ?? ''));
  const newest = responses[0];
  if (!newest) {
    return undefined;
  }
  const reference = referenceTo(newest);
  const parsed = QuestionnaireResponse.safeParse(newest);
  if (!parsed.success) {
    notes.push(`${reference} (screening answers) not used: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}.`);
    return undefined;
  }
  const { request, errors } = screeningFromQuestionnaireResponse(parsed.data, questionnaire);
  if (!request) {
    notes.push(`${reference} (screening answers) not used: ${errors.map((e) => `${e.field} ${e.detail}`).join('; ')}.`);
    return undefined;
  }
  const authoredOn = day(field(newest, 'authored'));
  return { request, reference, ...(authoredOn ? { authoredOn } : {}) };
}
