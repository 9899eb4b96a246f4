import type { Questionnaire, Resource } from '@medplum/fhirtypes';

import type { ScreeningRequest } from '../../screening/screening.schema';
import type { ScreeningAnswersMapping } from '../fhir/fhir-mapping';
import { QuestionnaireResponse } from '../fhir/questionnaire-response.schema';
import { day, field, referenceTo, text } from '../fhir/record-values';
import { screeningFromQuestionnaireResponse } from '../fhir/screening-from-questionnaire-response';

/** A clinician's completed screening questionnaire, as the EHR keeps it. */
export interface ScreeningAnswers {
  request: ScreeningRequest;
  reference: string;
  /** The day the answers were given. */
  authoredOn: string;
}

/** The newest answers, set aside as a whole: too old, undated, or given before the latest operation. */
export interface UnusedAnswers {
  reference: string;
  authoredOn?: string;
  /** Why, for the card. */
  reason: string;
  /** The mapping entry that sets the limit. */
  entry: { id: string; version: number };
}

/** What the record and the day tell about how old the answers may be. */
export interface AnswersValidity {
  mapping: ScreeningAnswersMapping;
  screenedOn: string;
  /** The day of the latest completed operation in the record, when there is one. */
  latestOperation?: string;
}

const FINISHED = ['completed', 'amended'];
const DAY_MS = 86_400_000;

const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

function unusedBecause(
  { mapping, screenedOn, latestOperation }: AnswersValidity,
  authoredOn: string | undefined,
): string | undefined {
  if (!authoredOn) {
    return 'they carry no date (authored), so their age is unknown';
  }
  if (authoredOn > screenedOn) {
    return `they are dated ${authoredOn}, after the day of screening ${screenedOn}`;
  }
  const age = daysBetween(authoredOn, screenedOn);
  if (age > mapping.maxAgeDays) {
    return `they are ${age} days old, older than the ${mapping.maxAgeDays} days answers are used for`;
  }
  if (mapping.mustFollowLatestOperation && latestOperation && authoredOn <= latestOperation) {
    return `they were given on or before the operation of ${latestOperation} in the record, so they describe the patient before it`;
  }
  return undefined;
}

/** The answers with the items that hold for a shorter time than the rest made unknown again, each noted. */
function withinItemLimits(
  request: ScreeningRequest,
  authoredOn: string,
  { mapping, screenedOn }: AnswersValidity,
  notes: string[],
): ScreeningRequest {
  const age = daysBetween(authoredOn, screenedOn);
  const expired = Object.entries(mapping.itemMaxAgeDays).filter(([, days]) => days !== undefined && age > days);
  if (expired.length === 0) {
    return request;
  }
  const names = new Set(expired.map(([item]) => item));
  const drop = (answers: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(answers).filter(([item]) => !names.has(item)));
  for (const [item, days] of expired) {
    notes.push(
      `The screening answer to ${item} of ${authoredOn} is not used: it holds ${days === 0 ? 'only on the day it is given' : `for ${days} days`} (\`${mapping.id}\` v${mapping.version}).`,
    );
  }
  return {
    ...request,
    answers: drop(request.answers) as ScreeningRequest['answers'],
    limbs: request.limbs.map((limb) => ({ ...limb, findings: drop(limb.findings) as typeof limb.findings })),
  };
}

/**
 * The newest finished response to the bfr-rx screening questionnaire among the resources, read with
 * the questionnaire's own mapping, when it is recent enough to stand for the patient today (see
 * `screeningAnswers` in rules-data/fhir-mapping.data.json). A response to another questionnaire is
 * not looked at; one that cannot be read is noted and not used; one too old is set aside with the
 * reason, and older ones are not looked at either.
 */
export function screeningAnswersFrom(
  resources: Resource[],
  questionnaire: Questionnaire,
  validity: AnswersValidity,
  notes: string[],
): { answers?: ScreeningAnswers; unused?: UnusedAnswers } {
  const responses = resources
    .flatMap((resource) =>
      resource.resourceType === 'Bundle' ? (resource.entry ?? []).map((e) => e.resource) : [resource],
    )
    .filter((resource) => resource?.resourceType === 'QuestionnaireResponse')
    .filter((resource) => text(field(resource, 'questionnaire'))?.split('|')[0] === questionnaire.url)
    .filter((resource) => FINISHED.includes(text(field(resource, 'status')) ?? ''))
    .sort((a, b) => (text(field(b, 'authored')) ?? '').localeCompare(text(field(a, 'authored')) ?? ''));
  const newest = responses[0];
  if (!newest) {
    return {};
  }
  const reference = referenceTo(newest);
  const authoredOn = day(field(newest, 'authored'));
  const stale = unusedBecause(validity, authoredOn);
  if (stale) {
    return {
      unused: {
        reference,
        ...(authoredOn ? { authoredOn } : {}),
        reason: stale,
        entry: { id: validity.mapping.id, version: validity.mapping.version },
      },
    };
  }
  const parsed = QuestionnaireResponse.safeParse(newest);
  if (!parsed.success) {
    notes.push(
      `${reference} (screening answers) not used: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}.`,
    );
    return {};
  }
  const { request, errors } = screeningFromQuestionnaireResponse(parsed.data, questionnaire);
  if (!request) {
    notes.push(`${reference} (screening answers) not used: ${errors.map((e) => `${e.field} ${e.detail}`).join('; ')}.`);
    return {};
  }
  return {
    answers: { request: withinItemLimits(request, authoredOn!, validity, notes), reference, authoredOn: authoredOn! },
  };
}
