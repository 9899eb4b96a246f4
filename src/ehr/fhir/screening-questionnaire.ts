import { createHash } from 'node:crypto';

import type { Coding, Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';

import type { RuleCatalogue } from '../../rules/catalogue';
import { clearable } from '../../screening/screen-patient';
import { LIMB_ITEMS, NOT_ASKED_OF_MALE_PATIENTS, PATIENT_ITEMS } from '../../screening/screening-items';
import { Limb, ScreeningAnswer, Sex, Side } from '../../screening/screening.ruleset';
import { CANONICAL, SYSTEM } from './codes';
import { fhirMapping, valueSet } from './fhir-mapping';

export const QUESTIONNAIRE_URL = `${CANONICAL}/Questionnaire/bfr-screening`;
/** yes, no and unknown, and the other choices of the screening (limb, side, sex). */
export const ANSWER_SYSTEM = `${CANONICAL}/CodeSystem/bfr-screening-answer`;
/** bfr-rx rule ids: what a clearance names. */
export const RULE_SYSTEM = `${CANONICAL}/CodeSystem/bfr-rule`;

const GENDER_SYSTEM = 'http://hl7.org/fhir/administrative-gender';

/** The code system each choice item answers from. */
export const CHOICES = {
  answer: { system: ANSWER_SYSTEM, codes: ScreeningAnswer.options },
  sex: { system: GENDER_SYSTEM, codes: Sex.options },
  limb: { system: ANSWER_SYSTEM, codes: Limb.options },
  side: { system: ANSWER_SYSTEM, codes: Side.options },
} as const;
export type ChoiceKind = keyof typeof CHOICES;

const options = (kind: ChoiceKind) => CHOICES[kind].codes.map((code) => ({ valueCoding: { system: CHOICES[kind].system, code, display: code } }));

/**
 * The linkId of an item is the dotted path of the screening request field it fills (array indices
 * left out), so a QuestionnaireResponse maps onto the request, and a refused field onto its item.
 */
const question = (linkId: string, text: string, type: QuestionnaireItem['type'], extra: Partial<QuestionnaireItem> = {}): QuestionnaireItem => ({ linkId, text, type, ...extra });
const choice = (linkId: string, text: string, kind: ChoiceKind, extra: Partial<QuestionnaireItem> = {}) => question(linkId, text, 'choice', { answerOption: options(kind), ...extra });

/** The SNOMED CT concepts of the value sets that answer an item from an EHR record: the item's meaning. */
function itemCodes(catalogue: RuleCatalogue, item: string): Coding[] {
  return catalogue
    .table(fhirMapping)
    .conditions.filter((m) => m.item === item)
    .flatMap((m) => valueSet(catalogue, m.valueSet).compose.include.filter((inc) => inc.system === SYSTEM.snomed).flatMap((inc) => (inc.concept ?? []).map((c) => ({ system: inc.system, code: c.code, display: c.display }))));
}

/** Shown unless the patient is male: the items that do not apply to a male patient. */
const unlessMale: Partial<QuestionnaireItem> = {
  enableWhen: [{ question: 'patient.sex', operator: '!=', answerCoding: { system: GENDER_SYSTEM, code: 'male' } }],
};

function answerItems(catalogue: RuleCatalogue, prefix: string, items: Record<string, string>): QuestionnaireItem[] {
  return Object.entries(items).map(([item, text]) => {
    const code = itemCodes(catalogue, item);
    const applies = (NOT_ASKED_OF_MALE_PATIENTS as readonly string[]).includes(item) ? unlessMale : {};
    return choice(`${prefix}.${item}`, `${text} (left unanswered = unknown)`, 'answer', { ...(code.length > 0 ? { code } : {}), ...applies });
  });
}

function itemsOf(catalogue: RuleCatalogue): QuestionnaireItem[] {
  return [
    question('patient', 'Patient', 'group', {
      required: true,
      item: [
        question('patient.ref', "The clinic's reference for the patient (e.g. an MRN)", 'string', { required: true, maxLength: 64 }),
        question('patient.birthDate', 'Date of birth', 'date', { required: true }),
        choice('patient.sex', 'Administrative sex', 'sex', { required: true }),
        question('patient.heightCm', 'Height (cm)', 'decimal', { required: true }),
        question('patient.weightKg', 'Weight (kg)', 'decimal', { required: true }),
      ],
    }),
    question('answers', 'Screening questions: yes, no or unknown', 'group', { item: answerItems(catalogue, 'answers', PATIENT_ITEMS) }),
    question('surgeryDate', 'Date of the most recent surgery', 'date', {
      enableWhen: [{ question: 'answers.recentSurgery', operator: '=', answerCoding: { system: ANSWER_SYSTEM, code: 'yes' } }],
      required: true,
    }),
    question('bloodPressure', 'Resting blood pressure (without a recent one the screening is incomplete)', 'group', {
      item: [
        question('bloodPressure.systolic', 'Systolic pressure at rest (mmHg)', 'integer', { required: true }),
        question('bloodPressure.diastolic', 'Diastolic pressure at rest (mmHg)', 'integer', { required: true }),
        question('bloodPressure.measuredOn', 'Date of the measurement', 'date', { required: true }),
      ],
    }),
    question('limbs', 'A planned cuff site (one group per site)', 'group', {
      required: true,
      repeats: true,
      item: [
        choice('limbs.limb', 'Where the cuff goes', 'limb', { required: true }),
        choice('limbs.side', 'Which side', 'side', { required: true }),
        question('limbs.circumferenceCm', 'Limb circumference at the cuff site (cm)', 'decimal'),
        question('limbs.findings', 'What was found at the cuff site: yes, no or unknown', 'group', { item: answerItems(catalogue, 'limbs.findings', LIMB_ITEMS) }),
      ],
    }),
    question('clearances', 'A recorded medical clearance (one group per clearance): the findings it names become cautions, others stay referrals', 'group', {
      repeats: true,
      item: [
        question('clearances.findings', 'The findings it clears (one answer per finding); a finding not named stays a referral', 'choice', {
          required: true,
          repeats: true,
          answerOption: catalogue
            .allRules()
            .filter(({ rule }) => clearable(catalogue, rule.id))
            .map(({ rule }) => ({ valueCoding: { system: RULE_SYSTEM, code: rule.id, display: rule.title } })),
        }),
        question('clearances.by', 'Who gave the clearance (name and role)', 'string', { required: true }),
        question('clearances.on', 'Date of the clearance', 'date', { required: true }),
        question('clearances.note', 'What was cleared, and any conditions', 'text', { required: true }),
      ],
    }),
  ];
}

/**
 * The BFR screening as a FHIR R4 Questionnaire, generated from the screening items (and the value
 * sets that give an item its SNOMED CT meaning), so it says exactly what `POST /v1/screenings`
 * asks. Its version is a hash of its items: it changes exactly when they do.
 */
export function screeningQuestionnaire(catalogue: RuleCatalogue): Questionnaire {
  const item = itemsOf(catalogue);
  const version = createHash('sha256').update(JSON.stringify(item)).digest('hex').slice(0, 12);
  return {
    resourceType: 'Questionnaire',
    id: 'bfr-screening',
    url: QUESTIONNAIRE_URL,
    version,
    name: 'BfrScreening',
    title: 'Blood-flow-restriction training: pre-participation screening',
    status: 'active',
    subjectType: ['Patient'],
    publisher: 'bfr-rx',
    description:
      'Every item the BFR screening asks. Answers are yes, no or unknown; an item left unanswered counts as unknown, never as no, and makes the screening incomplete when the rules need it. Which answers block, refer or caution is decided by the screening rules, not here.',
    item,
  };
}
