import { createHash } from 'node:crypto';

import type { Coding, Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';

import type { RuleCatalogue } from '../../rules/catalogue';
import type { CatalogueCheck, CrossCheckProblem } from '../../rules/data-spec';
import { clearable } from '../../screening/screen-patient';
import { LIMB_ITEMS, NOT_ASKED_OF_MALE_PATIENTS, PATIENT_ITEMS } from '../../screening/screening-items';
import { Limb, ScreeningAnswer, Sex, Side } from '../../screening/screening.ruleset';
import { CANONICAL, SYSTEM } from './codes';
import { fhirMapping, fhirMappingReferences, valueSet } from './fhir-mapping';
import { type QuestionnaireLanguage, questionnaireText } from './questionnaire-text';

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

const HELP_CONTROL = {
  url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl',
  valueCodeableConcept: {
    coding: [{ system: 'http://hl7.org/fhir/questionnaire-item-control', code: 'help', display: 'Help-Button' }],
  },
};

/**
 * The questionnaire's wording in one language: the English as written here and in the screening
 * items, or its translation from rules-data/screening-questionnaire.data.json, and the help texts.
 */
class Wording {
  private readonly table;

  /** `seen` collects every English text asked for: what the translations must cover. */
  constructor(
    catalogue: RuleCatalogue,
    readonly lang: QuestionnaireLanguage,
    private readonly seen?: Set<string>,
  ) {
    this.table = catalogue.table(questionnaireText);
  }

  text(english: string): string {
    this.seen?.add(english);
    if (this.lang === 'en') return english;
    const translated = this.table.translations[english]?.es;
    // Unreachable once the rules data loaded: the wording check refuses a text without Spanish.
    if (translated === undefined)
      throw new Error(`The screening questionnaire has no Spanish for ${JSON.stringify(english)}`);
    return translated;
  }

  /** The help text of an item as a FHIR display child marked as help, when the wording has one. */
  help(linkId: string): Partial<QuestionnaireItem> {
    const help = this.table.help[linkId];
    return help
      ? { item: [{ linkId: `${linkId}.help`, text: help[this.lang], type: 'display', extension: [HELP_CONTROL] }] }
      : {};
  }
}

/**
 * The linkId of an item is the dotted path of the screening request field it fills (array indices
 * left out), so a QuestionnaireResponse maps onto the request, and a refused field onto its item.
 */
type Build = (
  linkId: string,
  text: string,
  type: QuestionnaireItem['type'],
  extra?: Partial<QuestionnaireItem>,
) => QuestionnaireItem;
type BuildChoice = (
  linkId: string,
  text: string,
  kind: ChoiceKind,
  extra?: Partial<QuestionnaireItem>,
) => QuestionnaireItem;

function builders(wording: Wording): { question: Build; choice: BuildChoice } {
  // A question (not a group) carries its help text when the wording has one.
  const question: Build = (linkId, text, type, extra = {}) => ({
    linkId,
    text: wording.text(text),
    type,
    ...extra,
    ...(type === 'group' ? {} : wording.help(linkId)),
  });
  const options = (kind: ChoiceKind) =>
    CHOICES[kind].codes.map((code) => ({
      valueCoding: { system: CHOICES[kind].system, code, display: wording.text(code) },
    }));
  const choice: BuildChoice = (linkId, text, kind, extra = {}) =>
    question(linkId, text, 'choice', { answerOption: options(kind), ...extra });
  return { question, choice };
}

/** The SNOMED CT concepts of the value sets that answer an item from an EHR record: the item's meaning. */
function itemCodes(catalogue: RuleCatalogue, item: string): Coding[] {
  return catalogue
    .table(fhirMapping)
    .conditions.filter((m) => m.item === item)
    .flatMap((m) =>
      valueSet(catalogue, m.valueSet)
        .compose.include.filter((inc) => inc.system === SYSTEM.snomed)
        .flatMap((inc) => (inc.concept ?? []).map((c) => ({ system: inc.system, code: c.code, display: c.display }))),
    );
}

/** Shown unless the patient is male: the items that do not apply to a male patient. */
const unlessMale: Partial<QuestionnaireItem> = {
  enableWhen: [{ question: 'patient.sex', operator: '!=', answerCoding: { system: GENDER_SYSTEM, code: 'male' } }],
};

const UNANSWERED = '(left unanswered = unknown)';

function answerItems(
  catalogue: RuleCatalogue,
  wording: Wording,
  prefix: string,
  items: Record<string, string>,
): QuestionnaireItem[] {
  const { choice } = builders(wording);
  return Object.entries(items).map(([item, text]) => {
    const linkId = `${prefix}.${item}`;
    const code = itemCodes(catalogue, item);
    const applies = (NOT_ASKED_OF_MALE_PATIENTS as readonly string[]).includes(item) ? unlessMale : {};
    return {
      ...choice(linkId, text, 'answer', { ...(code.length > 0 ? { code } : {}), ...applies }),
      text: `${wording.text(text)} ${wording.text(UNANSWERED)}`,
    };
  });
}

function itemsOf(catalogue: RuleCatalogue, wording: Wording): QuestionnaireItem[] {
  const { question, choice } = builders(wording);
  return [
    question('patient', 'Patient', 'group', {
      required: true,
      item: [
        question('patient.ref', "The clinic's reference for the patient (e.g. an MRN)", 'string', {
          required: true,
          maxLength: 64,
        }),
        question('patient.birthDate', 'Date of birth', 'date', { required: true }),
        choice('patient.sex', 'Administrative sex', 'sex', { required: true }),
        question('patient.heightCm', 'Height (cm)', 'decimal', { required: true }),
        question('patient.weightKg', 'Weight (kg)', 'decimal', { required: true }),
      ],
    }),
    question('answers', 'Screening questions: yes, no or unknown', 'group', {
      item: answerItems(catalogue, wording, 'answers', PATIENT_ITEMS),
    }),
    question('surgeryDate', 'Date of the most recent surgery', 'date', {
      enableWhen: [
        { question: 'answers.recentSurgery', operator: '=', answerCoding: { system: ANSWER_SYSTEM, code: 'yes' } },
      ],
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
        question('limbs.findings', 'What was found at the cuff site: yes, no or unknown', 'group', {
          item: answerItems(catalogue, wording, 'limbs.findings', LIMB_ITEMS),
        }),
      ],
    }),
    question(
      'clearances',
      'A recorded medical clearance (one group per clearance): the findings it names become cautions, others stay referrals',
      'group',
      {
        repeats: true,
        item: [
          question(
            'clearances.findings',
            'The findings it clears (one answer per finding); a finding not named stays a referral',
            'choice',
            {
              required: true,
              repeats: true,
              answerOption: catalogue
                .allRules()
                .filter(({ rule }) => clearable(catalogue, rule.id))
                .map(({ rule }) => ({
                  valueCoding: { system: RULE_SYSTEM, code: rule.id, display: wording.text(rule.title) },
                })),
            },
          ),
          question('clearances.by', 'Who gave the clearance (name and role)', 'string', { required: true }),
          question('clearances.on', 'Date of the clearance', 'date', { required: true }),
          question('clearances.note', 'What was cleared, and any conditions', 'text', { required: true }),
        ],
      },
    ),
  ];
}

const TITLE = 'Blood-flow-restriction training: pre-participation screening';
const DESCRIPTION =
  'Every item the BFR screening asks. Answers are yes, no or unknown; an item left unanswered counts as unknown, never as no, and makes the screening incomplete when the rules need it. Which answers block, refer or caution is decided by the screening rules, not here.';

/**
 * The BFR screening as a FHIR R4 Questionnaire in English or Spanish, generated from the screening
 * items (and the value sets that give an item its SNOMED CT meaning), so it says exactly what
 * `POST /v1/screenings` asks. Its version is a hash of its English items: it changes exactly when
 * they do, and both languages share it, so a response to either reads the same way.
 */
export function screeningQuestionnaire(catalogue: RuleCatalogue, lang: QuestionnaireLanguage = 'en'): Questionnaire {
  const wording = new Wording(catalogue, lang);
  const english = lang === 'en' ? wording : new Wording(catalogue, 'en');
  const version = createHash('sha256')
    .update(JSON.stringify(itemsOf(catalogue, english)))
    .digest('hex')
    .slice(0, 12);
  return {
    resourceType: 'Questionnaire',
    id: 'bfr-screening',
    url: QUESTIONNAIRE_URL,
    version,
    language: lang,
    name: 'BfrScreening',
    title: wording.text(TITLE),
    status: 'active',
    subjectType: ['Patient'],
    publisher: 'bfr-rx',
    description: wording.text(DESCRIPTION),
    item: itemsOf(catalogue, wording),
  };
}

/** Every text of the questionnaire as the English builds it, and its questions: what the wording must cover. */
function englishTexts(catalogue: RuleCatalogue): { texts: Set<string>; linkIds: Set<string> } {
  const texts = new Set<string>([TITLE, DESCRIPTION, UNANSWERED]);
  const linkIds = new Set<string>();
  const walk = (items: readonly QuestionnaireItem[]) =>
    items.forEach((item) => {
      if (item.type !== 'group' && item.type !== 'display') linkIds.add(item.linkId);
      walk(item.item ?? []);
    });
  walk(itemsOf(catalogue, new Wording(catalogue, 'en', texts)));
  return { texts, linkIds };
}

/**
 * The wording table covers the questionnaire exactly: every text has its Spanish, and no Spanish or
 * help text is left for a text or question the questionnaire no longer has.
 */
export const questionnaireWordingComplete: CatalogueCheck = (catalogue) => {
  // The questionnaire reads its SNOMED CT codes through the mapping: while that check finds problems, it cannot be built.
  if (fhirMappingReferences(catalogue).length > 0) return [];
  const file = 'screening-questionnaire.data.json';
  const { help, translations } = catalogue.table(questionnaireText);
  const { texts, linkIds } = englishTexts(catalogue);
  const problems: CrossCheckProblem[] = [];
  for (const text of texts) {
    if (!translations[text])
      problems.push({ file, field: 'translations', message: `has no Spanish for ${JSON.stringify(text)}` });
  }
  for (const english of Object.keys(translations)) {
    if (!texts.has(english))
      problems.push({
        file,
        field: 'translations',
        message: `has Spanish for a text the screening questionnaire does not have: ${JSON.stringify(english)}`,
      });
  }
  for (const linkId of Object.keys(help)) {
    if (!linkIds.has(linkId))
      problems.push({ file, field: `help.${linkId}`, message: 'is not a question of the screening questionnaire' });
  }
  return problems;
};
