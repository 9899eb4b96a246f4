import { describe, expect, it } from 'vitest';

import {
  helpText,
  isEnabled,
  optionLabel,
  type Questionnaire,
  questionText,
  requestFromAnswers,
} from './questionnaire';

const yes = { code: 'yes' };
const choice = (linkId: string, required = false) => ({
  linkId,
  type: 'choice' as const,
  required,
  answerOption: ['yes', 'no', 'unknown'].map((code) => ({ valueCoding: { code } })),
});

const questionnaire: Questionnaire = {
  item: [
    {
      linkId: 'patient',
      type: 'group',
      required: true,
      item: [
        { linkId: 'patient.ref', type: 'string', required: true },
        { linkId: 'patient.sex', type: 'choice', required: true },
        { linkId: 'patient.weightKg', type: 'decimal', required: true },
      ],
    },
    { linkId: 'answers', type: 'group', item: [choice('answers.pregnant'), choice('answers.recentSurgery')] },
    {
      linkId: 'surgeryDate',
      type: 'date',
      required: true,
      enableWhen: [{ question: 'answers.recentSurgery', operator: '=', answerCoding: yes }],
    },
    {
      linkId: 'bloodPressure',
      type: 'group',
      item: [
        { linkId: 'bloodPressure.systolic', type: 'integer', required: true },
        { linkId: 'bloodPressure.measuredOn', type: 'date', required: true },
      ],
    },
    {
      linkId: 'limbs',
      type: 'group',
      repeats: true,
      item: [
        { linkId: 'limbs.limb', type: 'choice', required: true },
        { linkId: 'limbs.findings', type: 'group', item: [choice('limbs.findings.wound')] },
      ],
    },
  ],
};

describe('the screening form from the questionnaire', () => {
  it('builds the request from the linkIds, typed, leaving unanswered items out', () => {
    const body = requestFromAnswers(questionnaire.item, {
      'patient.ref': ' mrn-7 ',
      'patient.sex': 'female',
      'patient.weightKg': '61.5',
      'answers.pregnant': 'no',
      'bloodPressure.systolic': '118',
      'bloodPressure.measuredOn': '2026-12-01',
      limbs: [{ 'limbs.limb': 'thigh', 'limbs.findings.wound': 'no' }, { 'limbs.limb': 'upper-arm' }],
    });
    expect(body).toEqual({
      patient: { ref: 'mrn-7', sex: 'female', weightKg: 61.5 },
      answers: { pregnant: 'no' },
      bloodPressure: { systolic: 118, measuredOn: '2026-12-01' },
      limbs: [
        { limb: 'thigh', findings: { wound: 'no' } },
        { limb: 'upper-arm', findings: {} },
      ],
    });
  });

  it('keeps the answers group even when empty (blanks are unknown), and leaves a blank blood pressure out', () => {
    expect(requestFromAnswers(questionnaire.item, {})).toEqual({ answers: {}, limbs: [] });
  });

  it('asks for the surgery date only after recent surgery is answered yes', () => {
    const surgeryDate = questionnaire.item[2];
    expect(isEnabled(surgeryDate, {})).toBe(false);
    expect(isEnabled(surgeryDate, { 'answers.recentSurgery': 'no' })).toBe(false);
    expect(isEnabled(surgeryDate, { 'answers.recentSurgery': 'yes' })).toBe(true);
    expect(
      requestFromAnswers(questionnaire.item, { 'answers.recentSurgery': 'no', surgeryDate: '2026-10-01' }),
    ).not.toHaveProperty('surgeryDate');
    expect(
      requestFromAnswers(questionnaire.item, { 'answers.recentSurgery': 'yes', surgeryDate: '2026-10-01' }),
    ).toHaveProperty('surgeryDate', '2026-10-01');
  });

  it('follows enableWhen operators and enableBehavior', () => {
    const item = {
      linkId: 'x',
      type: 'string' as const,
      enableBehavior: 'any' as const,
      enableWhen: [
        { question: 'patient.sex', operator: '!=', answerCoding: { code: 'male' } },
        { question: 'answers.pregnant', operator: 'exists', answerBoolean: true },
      ],
    };
    expect(isEnabled(item, { 'patient.sex': 'male' })).toBe(false);
    expect(isEnabled(item, { 'patient.sex': 'female' })).toBe(true);
    expect(isEnabled(item, { 'patient.sex': 'male', 'answers.pregnant': 'no' })).toBe(true);
    expect(isEnabled({ ...item, enableBehavior: 'all' }, { 'patient.sex': 'female' })).toBe(false);
  });
});

describe('the questionnaire in either language', () => {
  it('reads the question without its blank-is-unknown reminder, its help and its answer displays in English or Spanish', () => {
    const item = {
      linkId: 'answers.anticoagulants',
      type: 'choice' as const,
      text: '¿Toma medicación anticoagulante? (sin respuesta = desconocido)',
      answerOption: [{ valueCoding: { code: 'yes', display: 'sí' } }, { valueCoding: { code: 'unknown' } }],
      item: [
        {
          linkId: 'answers.anticoagulants.help',
          type: 'display' as const,
          text: 'Por ejemplo, warfarina.',
          extension: [{ valueCodeableConcept: { coding: [{ code: 'help' }] } }],
        },
      ],
    };
    expect(questionText(item)).toBe('¿Toma medicación anticoagulante?');
    expect(questionText({ ...item, text: 'Taking anticoagulant medication? (left unanswered = unknown)' })).toBe(
      'Taking anticoagulant medication?',
    );
    expect(questionText({ ...item, text: 'Surgery in the last 3 months? (give the date)' })).toBe(
      'Surgery in the last 3 months? (give the date)',
    );
    expect(helpText(item)).toBe('Por ejemplo, warfarina.');
    expect(optionLabel(item, 'yes')).toBe('sí');
    expect(optionLabel(item, 'unknown')).toBe('unknown');
  });
});
