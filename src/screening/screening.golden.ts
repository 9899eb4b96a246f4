import { z } from 'zod';

import type { GoldenSuite } from '../rules/golden-cases';
import { screenPatient } from './screen-patient';
import { Limb, Side, Verdict } from './screening.ruleset';
import { ScreeningRequest } from './screening.schema';

const ScreeningCase = z.strictObject({
  name: z.string().trim().min(3).describe('What the case shows, as a sentence.'),
  screenedOn: z.iso.date(),
  request: ScreeningRequest,
  expect: z.strictObject({
    verdict: Verdict,
    /** Exactly the rules that fire, patient and sites together, in any order. */
    findings: z.array(z.string()),
    limbs: z.array(z.strictObject({ limb: Limb, side: Side, verdict: Verdict })).optional(),
    missing: z.array(z.string()).optional(),
    vteScore: z.number().int().optional(),
  }),
});
type ScreeningCase = z.infer<typeof ScreeningCase>;

function sameSet(label: string, expected: readonly string[], actual: readonly string[]): string[] {
  return [
    ...expected.filter((x) => !actual.includes(x)).map((x) => `${label}: expected ${x}, it is not there`),
    ...actual.filter((x) => !expected.includes(x)).map((x) => `${label}: ${x} is there, it was not expected`),
  ];
}

/** Screening inputs as the API takes them, and the verdict, findings and sites they must give. */
export const screeningGoldenSuite: GoldenSuite<ScreeningCase> = {
  name: 'screening',
  case: ScreeningCase,
  async check(catalogue, goldenCase) {
    const outcome = await screenPatient(catalogue, goldenCase.request, goldenCase.screenedOn);
    const { expect } = goldenCase;
    return [
      ...(outcome.verdict === expect.verdict ? [] : [`verdict: expected ${expect.verdict}, got ${outcome.verdict}`]),
      ...sameSet('finding', expect.findings, [...new Set(outcome.findings.map((f) => f.ruleId))]),
      ...(expect.limbs
        ? sameSet(
            'site',
            expect.limbs.map((l) => `${l.side} ${l.limb} ${l.verdict}`),
            outcome.limbs.map((l) => `${l.side} ${l.limb} ${l.verdict}`),
          )
        : []),
      ...(expect.missing ? sameSet('missing', expect.missing, outcome.missing) : []),
      ...(expect.vteScore === undefined || expect.vteScore === outcome.vteScore.total
        ? []
        : [`VTE score: expected ${expect.vteScore}, got ${outcome.vteScore.total}`]),
    ];
  },
};
