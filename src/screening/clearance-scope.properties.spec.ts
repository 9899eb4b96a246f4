import fc from 'fast-check';

import { RULES_DATA } from '../../test/rules-fixtures';
import { loadRuleCatalogue } from '../rulesets';
import { screenPatient } from './screen-patient';
import { LIMB_ITEMS, NOT_ASKED_OF_MALE_PATIENTS, PATIENT_ITEMS } from './screening-items';
import { VERDICTS } from './screening.ruleset';
import type { ScreeningRequest } from './screening.schema';

const catalogue = loadRuleCatalogue(RULES_DATA);
const SCREENED_ON = '2026-11-20';
const RUNS = 100;

const screeningRules = catalogue.ruleset('screening')!.rules;
const REFERRALS = screeningRules.filter((rule) => rule.event.params?.verdict === 'refer').map((rule) => rule.id);
const NOT_KNOWN_RULES = new Set(screeningRules.filter((rule) => rule.event.params?.unanswered).map((rule) => rule.id));

const dayBefore = (days: number) => new Date(Date.parse(SCREENED_ON) - days * 86_400_000).toISOString().slice(0, 10);
const allNo = (items: Record<string, string>) => Object.fromEntries(Object.keys(items).map((item) => [item, 'no']));

/** Patients with several referral findings at once, most items answered, some unknown. */
const requestArb: fc.Arbitrary<ScreeningRequest> = fc
  .record({
    sex: fc.constantFrom('female' as const, 'male' as const, 'other' as const, 'unknown' as const),
    age: fc.integer({ min: 18, max: 85 }),
    answers: fc.record(
      Object.fromEntries(
        Object.keys(PATIENT_ITEMS).map((item) => [item, fc.constantFrom('no', 'no', 'no', 'yes', 'yes', 'unknown')]),
      ),
    ),
    systolic: fc.integer({ min: 100, max: 179 }),
    clearances: fc.array(
      fc.record({
        findings: fc.uniqueArray(fc.constantFrom(...REFERRALS), { minLength: 1, maxLength: 6 }),
        by: fc.constant('Dr Generated'),
        on: fc.constant(SCREENED_ON),
        note: fc.constant('Cleared.'),
      }),
      { maxLength: 3 },
    ),
  })
  .map(({ sex, age, answers, systolic, clearances }) => ({
    patient: { ref: 'mrn-generated', birthDate: dayBefore(age * 366), sex, heightCm: 175, weightKg: 75 },
    answers: {
      ...answers,
      recentSurgery: answers.recentSurgery === 'unknown' ? 'no' : answers.recentSurgery,
    } as ScreeningRequest['answers'],
    ...(answers.recentSurgery === 'yes' ? { surgeryDate: dayBefore(20) } : {}),
    bloodPressure: { systolic, diastolic: Math.min(systolic - 40, 99), measuredOn: SCREENED_ON },
    limbs: [
      {
        limb: 'thigh' as const,
        side: 'left' as const,
        findings: allNo(LIMB_ITEMS) as ScreeningRequest['limbs'][number]['findings'],
      },
    ],
    ...(clearances.length > 0 ? { clearances } : {}),
  }));

const rank = (verdict: string) => VERDICTS.indexOf(verdict as (typeof VERDICTS)[number]);
const screen = (request: ScreeningRequest) => screenPatient(catalogue, request, SCREENED_ON);

describe('clearance scope and unanswered items over generated patients', () => {
  it('lifts exactly the referrals a clearance names, and keeps their modifications', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const outcome = await screen(request);
        const named = new Set((request.clearances ?? []).flatMap((c) => c.findings));
        for (const finding of outcome.findings) {
          expect(finding.cleared).toBe(finding.verdict === 'refer' && named.has(finding.ruleId));
          if (finding.cleared) {
            expect(finding.clearance?.findings).toContain(finding.ruleId);
            expect(outcome.modifications).toEqual(expect.arrayContaining(finding.modifications!));
          }
        }
        // A referral no clearance names keeps the screening at refer or worse.
        if (outcome.findings.some((f) => f.verdict === 'refer' && !named.has(f.ruleId))) {
          expect(rank(outcome.verdict)).toBeGreaterThanOrEqual(rank('refer'));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('gives the same verdict with or without clearances when none of them names a finding that fired', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const without = await screen({ ...request, clearances: undefined });
        const fired = new Set(without.findings.map((f) => f.ruleId));
        const unrelated = REFERRALS.filter((id) => !fired.has(id));
        fc.pre(unrelated.length > 0);
        const withUnrelated = await screen({
          ...request,
          clearances: [{ findings: unrelated, by: 'Dr Generated', on: SCREENED_ON, note: 'Cleared.' }],
        });
        expect(withUnrelated.verdict).toBe(without.verdict);
      }),
      { numRuns: RUNS },
    );
  });

  it('never asserts an unanswered item: a finding that read an unknown answer asks it or says it is not known', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const outcome = await screen(request);
        const unknown = new Set(
          Object.keys(PATIENT_ITEMS).filter(
            (item) =>
              (request.answers as Record<string, string>)[item] === undefined ||
              (request.answers as Record<string, string>)[item] === 'unknown',
          ),
        );
        for (const finding of outcome.findings) {
          const readUnknown = Object.entries(finding.inputs).some(
            ([fact, value]) => unknown.has(fact) && value === 'unknown',
          );
          if (readUnknown && finding.verdict !== 'incomplete') {
            expect(NOT_KNOWN_RULES.has(finding.ruleId)).toBe(true);
          }
        }
        expect(outcome.vteScore.factors.every((f) => !f.factor.includes('not known'))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('never lets an unanswered caution item alone make a screening clear or caution', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const outcome = await screen(request);
        const notKnown = outcome.findings.filter((f) => NOT_KNOWN_RULES.has(f.ruleId));
        const others = outcome.findings.filter((f) => !NOT_KNOWN_RULES.has(f.ruleId));
        if (notKnown.length > 0 && others.length === 0) {
          expect(outcome.verdict).toBe('incomplete');
          expect(outcome.missing.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('never asks a male patient about pregnancy or giving birth', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const male = {
          ...request,
          patient: { ...request.patient, sex: 'male' as const },
          answers: { ...request.answers, pregnant: undefined, postpartum: undefined },
        };
        const outcome = await screen(male);
        for (const item of NOT_ASKED_OF_MALE_PATIENTS) {
          expect(outcome.missing).not.toContain(item);
          expect(outcome.findings.filter((f) => Object.keys(f.inputs).includes(item))).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
