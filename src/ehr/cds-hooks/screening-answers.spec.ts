import type { Resource } from '@medplum/fhirtypes';

import { SCREENED_ON, screeningRequest } from '../../../test/factories';
import { patient, questionnaireResponseFor, surgery } from '../../../test/fhir-fixtures';
import { editedRulesData, RULES_DATA } from '../../../test/rules-fixtures';
import { loadRuleCatalogue } from '../../rulesets';
import type { RuleCatalogue } from '../../rules/catalogue';
import { fhirMapping } from '../fhir/fhir-mapping';
import { screeningQuestionnaire } from '../fhir/screening-questionnaire';
import { ASSUMED_SITES, screenRecord } from './record-screening';
import { screeningAnswersFrom } from './screening-answers';

const catalogue = loadRuleCatalogue(RULES_DATA);
const questionnaire = screeningQuestionnaire(catalogue);

/** The clinician's answers (all no, both thighs checked), given on the day named. */
const answersOn = (authored: string | undefined, overrides: Parameters<typeof screeningRequest>[0] = {}) => {
  const { authored: _left, ...response } = questionnaireResponseFor(screeningRequest(overrides));
  return { id: 'qr-1', ...response, ...(authored ? { authored } : {}) } as Resource;
};

const validity = (on = SCREENED_ON, latestOperation?: string) => ({
  mapping: catalogue.table(fhirMapping).screeningAnswers,
  screenedOn: on,
  ...(latestOperation ? { latestOperation } : {}),
});

describe('screening answers kept in the EHR: how old they may be', () => {
  it('uses answers up to 30 days old, and sets older ones aside with their date and the entry that limits them', () => {
    const within = screeningAnswersFrom([answersOn('2026-10-21T08:00:00Z')], questionnaire, validity(), []);
    expect(within.answers).toMatchObject({ reference: 'QuestionnaireResponse/qr-1', authoredOn: '2026-10-21' });
    const stale = screeningAnswersFrom([answersOn('2026-10-20T08:00:00Z')], questionnaire, validity(), []);
    expect(stale).toEqual({
      unused: {
        reference: 'QuestionnaireResponse/qr-1',
        authoredOn: '2026-10-20',
        reason: 'they are 31 days old, older than the 30 days answers are used for',
        entry: { id: 'fhir.screening-answers.recent', version: 1 },
      },
    });
  });

  it('does not use answers without a date, or dated after the day of screening', () => {
    expect(screeningAnswersFrom([answersOn(undefined)], questionnaire, validity(), []).unused?.reason).toMatch(
      /^they carry no date \(authored\)/,
    );
    expect(screeningAnswersFrom([answersOn('2026-11-21')], questionnaire, validity(), []).unused?.reason).toMatch(
      /^they are dated 2026-11-21, after the day of screening 2026-11-20/,
    );
  });

  it('does not use answers given on or before the day of the latest operation', () => {
    expect(
      screeningAnswersFrom([answersOn('2026-11-10T07:00:00Z')], questionnaire, validity(SCREENED_ON, '2026-11-10'), [])
        .unused?.reason,
    ).toBe(
      'they were given on or before the operation of 2026-11-10 in the record, so they describe the patient before it',
    );
    expect(
      screeningAnswersFrom([answersOn('2026-11-11T07:00:00Z')], questionnaire, validity(SCREENED_ON, '2026-11-10'), [])
        .answers,
    ).toBeDefined();
  });

  it("uses the answer about today's illness only on the day it was given, and notes it", () => {
    const notes: string[] = [];
    const yesterday = screeningAnswersFrom([answersOn('2026-11-19T16:00:00Z')], questionnaire, validity(), notes);
    expect(yesterday.answers?.request.answers.acuteIllness).toBeUndefined();
    expect(yesterday.answers?.request.answers.vteHistory).toBe('no');
    expect(notes).toEqual([
      'The screening answer to acuteIllness of 2026-11-19 is not used: it holds only on the day it is given (`fhir.screening-answers.recent` v1).',
    ]);
    expect(
      screeningAnswersFrom([answersOn('2026-11-20T07:00:00Z')], questionnaire, validity(), []).answers?.request.answers
        .acuteIllness,
    ).toBe('no');
  });

  it('takes the limits from rules-data, so a knowledge editor can change them', () => {
    const edited: RuleCatalogue = loadRuleCatalogue(
      editedRulesData('fhir-mapping.data.json', (mapping) => {
        mapping.screeningAnswers.maxAgeDays = 7;
        mapping.screeningAnswers.itemMaxAgeDays = {};
      }),
    );
    const mapping = edited.table(fhirMapping).screeningAnswers;
    expect(
      screeningAnswersFrom([answersOn('2026-11-12')], questionnaire, { mapping, screenedOn: SCREENED_ON }, []).unused
        ?.reason,
    ).toMatch(/8 days old, older than the 7 days/);
    expect(
      screeningAnswersFrom([answersOn('2026-11-13')], questionnaire, { mapping, screenedOn: SCREENED_ON }, []).answers
        ?.request.answers.acuteIllness,
    ).toBe('no');
  });

  it('screens as if there were no answers when they predate the operation in the record: every item unknown again', async () => {
    const record = [patient(), surgery('p-1', '2026-11-10'), answersOn('2026-11-09T10:00:00Z')];
    const sut = await screenRecord(catalogue, questionnaire, record, SCREENED_ON, ASSUMED_SITES);
    expect(sut.answers).toBeUndefined();
    expect(sut.unusedAnswers).toMatchObject({ reference: 'QuestionnaireResponse/qr-1', authoredOn: '2026-11-09' });
    expect(sut.request?.answers.vteHistory).toBeUndefined();
    expect(sut.sites.origin).toBe('assumed');
    expect(sut.findings.some((f) => f.verdict === 'incomplete' && f.inputs.vteHistory === 'unknown')).toBe(true);
  });
});
