import { z } from 'zod';

import type { RulesetSpec } from '../rules/ruleset-spec';

/** A screening question is answered yes, no or unknown; unknown is never read as no. */
export const ScreeningAnswer = z.enum(['yes', 'no', 'unknown']);

const answer = (description: string) => ({ description, schema: ScreeningAnswer });

export const ScreeningVerdict = z.enum(['contraindicated', 'refer', 'caution', 'incomplete']);

/** The facts the screening rules may read and the findings they produce. */
export const screeningRuleset: RulesetSpec = {
  name: 'screening',
  facts: {
    ageYears: { description: 'Age in whole years on the day of screening.', schema: z.number().int().min(0).max(130) },
    vteHistory: answer('Has the patient ever had a deep-vein thrombosis or pulmonary embolism?'),
    clottingDisorder: answer('Does the patient have a known clotting disorder (thrombophilia, haemophilia)?'),
    pregnant: answer('Is the patient pregnant?'),
    sickleCell: answer('Does the patient have sickle cell disease?'),
    restingBloodPressure: {
      description: 'Resting blood pressure in mmHg, or null when none is recorded.',
      schema: z
        .strictObject({
          systolic: z.number().int().min(40).max(300).describe('Systolic pressure, mmHg.'),
          diastolic: z.number().int().min(20).max(200).describe('Diastolic pressure, mmHg.'),
        })
        .nullable(),
    },
  },
  event: z.strictObject({
    type: z.literal('finding'),
    params: z.strictObject({
      verdict: ScreeningVerdict,
      clinicianMessage: z.string().trim().min(10),
      patientMessage: z.string().trim().min(10),
    }),
  }),
};
