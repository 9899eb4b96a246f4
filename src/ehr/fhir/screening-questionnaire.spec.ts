import type { Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';

import { limbSite, SCREENED_ON, screeningRequest } from '../../../test/factories';
import { questionnaireResponseFor } from '../../../test/fhir-fixtures';
import { fhirProblems } from '../../../test/fhir-validation';
import { editedRulesData, RULES_DATA } from '../../../test/rules-fixtures';
import { formatRuleProblem, RulesetInvalidError } from '../../rules/loader';
import { loadRuleCatalogue } from '../../rulesets';
import { LIMB_ITEMS, PATIENT_ITEMS } from '../../screening/screening-items';
import { QuestionnaireResponse } from './questionnaire-response.schema';
import { languageFromHeader } from './questionnaire-text';
import { screeningFromQuestionnaireResponse } from './screening-from-questionnaire-response';
import { screeningQuestionnaire } from './screening-questionnaire';

const catalogue = loadRuleCatalogue(RULES_DATA);
const questionnaire = screeningQuestionnaire(catalogue);
const linkIds = (items: readonly QuestionnaireItem[] = []): string[] =>
  items.flatMap((i) => [i.linkId, ...linkIds(i.item)]);
const sut = (body: unknown) => screeningFromQuestionnaireResponse(QuestionnaireResponse.parse(body), questionnaire);

describe('screeningQuestionnaire', () => {
  it('is a valid R4 Questionnaire for both validators', () => {
    expect(fhirProblems(questionnaire)).toEqual([]);
  });

  it('asks every screening item, each with the question as the service asks it', () => {
    const ids = linkIds(questionnaire.item);
    for (const item of Object.keys(PATIENT_ITEMS)) expect(ids).toContain(`answers.${item}`);
    for (const item of Object.keys(LIMB_ITEMS)) expect(ids).toContain(`limbs.findings.${item}`);
    const vte = questionnaire.item![1].item!.find((i) => i.linkId === 'answers.vteHistory')!;
    expect(vte.text).toContain(PATIENT_ITEMS.vteHistory);
    expect(vte.answerOption!.map((o) => o.valueCoding!.code)).toEqual(['yes', 'no', 'unknown']);
    expect(vte.code).toEqual([
      { system: 'http://snomed.info/sct', code: '128053003', display: 'Deep venous thrombosis' },
      { system: 'http://snomed.info/sct', code: '59282003', display: 'Pulmonary embolism' },
    ]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('versions itself by its items', () => {
    expect(questionnaire.version).toMatch(/^[0-9a-f]{12}$/);
    expect(screeningQuestionnaire(catalogue).version).toBe(questionnaire.version);
  });
});

describe('screeningFromQuestionnaireResponse', () => {
  it('gives back the screening request the answers came from', () => {
    const request = screeningRequest({
      answers: { vteHistory: 'no', recentSurgery: 'yes' },
      surgeryDate: '2026-10-30',
      limbs: [limbSite('thigh', 'left', { wound: 'yes' }), limbSite('upper-arm', 'right')],
    });
    const { request: parsed, errors } = sut(questionnaireResponseFor(request));
    expect(errors).toEqual([]);
    expect(parsed).toEqual(request);
  });

  it('leaves an unanswered question unknown rather than no', () => {
    const body = questionnaireResponseFor(screeningRequest({ answers: {} }));
    const { request } = sut(body);
    expect(request!.answers).toEqual({});
    expect(request!.bloodPressure).toEqual({ systolic: 122, diastolic: 78, measuredOn: SCREENED_ON });
  });

  it('names the linkId and the place in the body of every refused answer', () => {
    const body = questionnaireResponseFor(screeningRequest());
    const patient = body.item.find((i) => i.linkId === 'patient')!;
    patient.item!.find((i) => i.linkId === 'patient.birthDate')!.answer = [{ valueString: '14 March 1992' }];
    const answers = body.item.find((i) => i.linkId === 'answers')!;
    answers.item![0].answer = [{ valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/v2-0136', code: 'Y' } }];
    answers.item!.push({ linkId: 'answers.smokes', answer: [{ valueString: 'no' }] });
    const { request, errors } = sut(body);
    expect(request).toBeUndefined();
    const patientIndex = body.item.indexOf(patient);
    const answersIndex = body.item.indexOf(answers);
    expect(errors).toEqual([
      {
        in: 'body',
        field: 'patient.birthDate',
        pointer: `/item/${patientIndex}/item/1/answer/0`,
        detail: 'needs valueDate (YYYY-MM-DD)',
      },
      {
        in: 'body',
        field: 'answers.vteHistory',
        pointer: `/item/${answersIndex}/item/0/answer/0`,
        detail: expect.stringContaining('needs valueCoding'),
      },
      {
        in: 'body',
        field: 'answers.smokes',
        pointer: `/item/${answersIndex}/item/${answers.item!.length - 1}/linkId`,
        detail: 'is not an item of the group answers',
      },
    ]);
  });

  it('reports what the screening refuses by linkId too, e.g. a diastolic above the systolic or a missing surgery date', () => {
    const body = questionnaireResponseFor(
      screeningRequest({
        answers: { recentSurgery: 'yes' },
        bloodPressure: { systolic: 120, diastolic: 130, measuredOn: SCREENED_ON },
      }),
    );
    const { errors } = sut(body);
    expect(errors.map((e) => [e.field, e.detail])).toEqual(
      expect.arrayContaining([
        ['bloodPressure.diastolic', 'must be below the systolic pressure'],
        ['surgeryDate', 'is required when answers.recentSurgery is yes'],
      ]),
    );
    const bp = body.item.findIndex((i) => i.linkId === 'bloodPressure');
    expect(errors.find((e) => e.field === 'bloodPressure.diastolic')!.pointer).toBe(`/item/${bp}/item/1/answer/0`);
  });

  it('refuses a response to another questionnaire or another version of it', () => {
    const other = {
      ...questionnaireResponseFor(screeningRequest()),
      questionnaire: `${questionnaire.url}|000000000000`,
    };
    expect(sut(other).errors).toEqual([
      {
        in: 'body',
        field: 'questionnaire',
        pointer: '/questionnaire',
        detail: expect.stringContaining(questionnaire.version!),
      },
    ]);
    expect(sut({ ...other, questionnaire: `${questionnaire.url}|${questionnaire.version}` }).errors).toEqual([]);
  });

  it('refuses a response that is still in progress, at the boundary', () => {
    const parsed = QuestionnaireResponse.safeParse({
      ...questionnaireResponseFor(screeningRequest()),
      status: 'in-progress',
    });
    expect(parsed.success).toBe(false);
  });
});

describe('the Spanish screening questionnaire', () => {
  const es = screeningQuestionnaire(catalogue, 'es');
  const items = (q: Questionnaire): QuestionnaireItem[] => {
    const all: QuestionnaireItem[] = [];
    const walk = (list: readonly QuestionnaireItem[] = []) => list.forEach((i) => (all.push(i), walk(i.item)));
    walk(q.item);
    return all;
  };
  const byId = (q: Questionnaire, linkId: string) => items(q).find((i) => i.linkId === linkId)!;

  it('is a valid R4 Questionnaire in Spanish, with the same items, codes and version as the English', () => {
    expect(fhirProblems(es)).toEqual([]);
    expect(es.language).toBe('es');
    expect(questionnaire.language).toBe('en');
    expect(es.version).toBe(questionnaire.version);
    expect(linkIds(es.item)).toEqual(linkIds(questionnaire.item));
    const structure = (q: Questionnaire) =>
      items(q).map(({ linkId, type, required, repeats, enableWhen, code, answerOption }) => ({
        linkId,
        type,
        required,
        repeats,
        enableWhen,
        code,
        answerCodes: answerOption?.map((o) => o.valueCoding!.code),
      }));
    expect(structure(es)).toEqual(structure(questionnaire));
  });

  it('asks every question, help text and answer option in Spanish', () => {
    expect(byId(es, 'answers.vteHistory').text).toBe(
      '¿Ha tenido alguna vez el paciente una trombosis venosa profunda (TVP) o una embolia pulmonar (EP)? (sin respuesta = desconocido)',
    );
    expect(byId(es, 'answers.vteHistory').answerOption!.map((o) => o.valueCoding!.display)).toEqual([
      'sí',
      'no',
      'desconocido',
    ]);
    expect(byId(es, 'limbs.side').answerOption!.map((o) => o.valueCoding!.display)).toEqual(['izquierdo', 'derecho']);
    expect(byId(es, 'answers.anticoagulants.help')).toMatchObject({
      type: 'display',
      text: expect.stringContaining('apixabán'),
      extension: [{ valueCodeableConcept: { coding: [{ code: 'help' }] } }],
    });
    expect(byId(questionnaire, 'answers.anticoagulants.help').text).toContain('apixaban');
    expect(es.title).toMatch(/^Entrenamiento con restricción del flujo sanguíneo/);
    const english = new Map(items(questionnaire).map((i) => [i.linkId, i]));
    for (const item of items(es)) {
      expect({ linkId: item.linkId, same: item.text === english.get(item.linkId)!.text }).toEqual({
        linkId: item.linkId,
        same: false,
      });
    }
  });

  it('reads a response to the Spanish questionnaire as one to the English', () => {
    const request = screeningRequest({
      answers: { vteHistory: 'no', recentSurgery: 'yes' },
      surgeryDate: '2026-10-30',
    });
    const { request: parsed, errors } = screeningFromQuestionnaireResponse(
      QuestionnaireResponse.parse(questionnaireResponseFor(request)),
      es,
    );
    expect(errors).toEqual([]);
    expect(parsed).toEqual(request);
  });
});

describe('the questionnaire wording in rules-data', () => {
  const problemsOf = (dir: string): string[] => {
    try {
      loadRuleCatalogue(dir);
      return [];
    } catch (error) {
      if (error instanceof RulesetInvalidError) return error.problems.map(formatRuleProblem);
      throw error;
    }
  };
  const FILE = 'screening-questionnaire.data.json';

  it('refuses a question without its Spanish', () => {
    const dir = editedRulesData(FILE, (c) => {
      delete c.translations['Atrial fibrillation?'];
    });
    expect(problemsOf(dir)).toEqual([
      'screening-questionnaire.data.json › translations: has no Spanish for "Atrial fibrillation?"',
    ]);
  });

  it('refuses Spanish or help for a text or question the questionnaire does not have', () => {
    const dir = editedRulesData(FILE, (c) => {
      c.translations['Atrial flutter?'] = { es: '¿Flúter auricular?' };
      c.help['answers.atrialFlutter'] = { en: 'Typical or atypical.', es: 'Típico o atípico.' };
      c.help.bloodPressure = {
        en: 'Seated, after five minutes of rest.',
        es: 'Sentado, tras cinco minutos de reposo.',
      };
    });
    expect(problemsOf(dir)).toEqual([
      'screening-questionnaire.data.json › translations: has Spanish for a text the screening questionnaire does not have: "Atrial flutter?"',
      'screening-questionnaire.data.json › help.answers.atrialFlutter: is not a question of the screening questionnaire',
      'screening-questionnaire.data.json › help.bloodPressure: is not a question of the screening questionnaire',
    ]);
  });

  it('refuses a help text without its Spanish', () => {
    const dir = editedRulesData(FILE, (c) => {
      delete c.help['answers.anticoagulants'].es;
    });
    expect(problemsOf(dir).join('\n')).toMatch(
      /screening-questionnaire\.data\.json › help\.answers\.anticoagulants\.es/,
    );
  });
});

describe('languageFromHeader', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['es', 'es'],
    ['es-ES,es;q=0.9', 'es'],
    ['es-419', 'es'],
    ['en-GB,en;q=0.9,es;q=0.8', 'en'],
    ['fr-FR,es;q=0.5', 'es'],
    ['fr, de', 'en'],
    ['es;q=0, en;q=0.1', 'en'],
    ['*', 'en'],
    ['es;q=abc', 'en'],
  ])('reads %j as %s', (header, lang) => {
    expect(languageFromHeader(header)).toBe(lang);
  });
});
