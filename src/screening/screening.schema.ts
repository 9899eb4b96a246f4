import { z } from 'zod';

import { Evidence } from '../rules/rule-file.schema';
import { LIMB_ITEMS, PATIENT_ITEMS } from './screening-items';
import { Limb, Modification, ScreeningAnswer, Sex, Side, Verdict } from './screening.ruleset';

const isoDate = z.iso.date();

const answerSet = <K extends string>(items: Record<K, string>) =>
  z.strictObject(
    Object.fromEntries(
      Object.entries<string>(items).map(([item, question]) => [
        item,
        ScreeningAnswer.optional().describe(`${question} Left out = unknown.`),
      ]),
    ) as Record<K, z.ZodOptional<typeof ScreeningAnswer>>,
  );

export const PatientAnswers = answerSet(PATIENT_ITEMS).meta({
  id: 'ScreeningAnswers',
  description: 'Answers to the screening items: yes, no or unknown. An item left out counts as unknown, never as no.',
});

/** A single clearance that named nothing cleared every referral; it is refused, not guessed at. */
export const CLEARANCE_SHAPE_CHANGED =
  'the single free-text `clearance` is no longer accepted, because it could not say which findings it clears: give `clearances`, a list of { findings: [the rule ids it clears, e.g. "refer.bp-160-179"], by, on, note }';

export const Clearance = z
  .strictObject({
    findings: z
      .array(
        z
          .string()
          .trim()
          .regex(/^[a-z][a-z0-9.-]*$/, 'must be a rule id such as refer.bp-160-179')
          .max(100),
      )
      .min(1)
      .max(40)
      .refine((ids) => new Set(ids).size === ids.length, 'lists the same finding twice')
      .describe(
        'The findings this clearance covers, by rule id (e.g. `refer.bp-160-179`, `refer.vte-score`, `sel.refer.high-risk-bsi-no-clearance`). Only rules whose finding needs a clearance may be named.',
      ),
    by: z.string().trim().min(2).max(200).describe('Who gave the medical clearance (name and role).'),
    on: isoDate.describe('Date of the clearance.'),
    note: z.string().trim().min(3).max(2000).describe('What was cleared, and any conditions.'),
  })
  .meta({ id: 'Clearance', description: 'A medical clearance for BFR that names the findings it covers.' });
export type Clearance = z.infer<typeof Clearance>;

export const LimbSite = z
  .strictObject({
    limb: Limb.describe('Where the cuff goes.'),
    side: Side.describe('Which side.'),
    circumferenceCm: z.number().min(5).max(150).optional().describe('Limb circumference at the cuff site, cm.'),
    findings: answerSet(LIMB_ITEMS)
      .default({})
      .describe('What was found at the cuff site: yes, no or unknown for each item.'),
  })
  .meta({ id: 'LimbSite', description: 'A planned cuff site and what was found there.' });

export const ScreeningRequest = z
  .strictObject({
    patient: z
      .strictObject({
        ref: z.string().trim().min(1).max(64).describe("The clinic's reference for the patient (e.g. an MRN)."),
        birthDate: isoDate.describe('Date of birth (YYYY-MM-DD).'),
        sex: Sex.describe('Administrative sex.'),
        heightCm: z.number().min(100).max(250).describe('Height, cm.'),
        weightKg: z.number().min(25).max(300).describe('Weight, kg.'),
      })
      .describe('Who is screened.'),
    answers: PatientAnswers,
    surgeryDate: isoDate
      .optional()
      .describe('Date of the most recent surgery; required when `answers.recentSurgery` is yes.'),
    bloodPressure: z
      .strictObject({
        systolic: z.number().int().min(60).max(280).describe('Systolic pressure at rest, mmHg.'),
        diastolic: z.number().int().min(30).max(180).describe('Diastolic pressure at rest, mmHg.'),
        measuredOn: isoDate.describe('Date of the measurement.'),
      })
      .refine((bp) => bp.diastolic < bp.systolic, {
        path: ['diastolic'],
        message: 'must be below the systolic pressure',
      })
      .optional()
      .describe('Resting blood pressure; without a recent one the screening is incomplete.'),
    limbs: z
      .array(LimbSite)
      .min(1)
      .max(4)
      .refine(
        (limbs) => new Set(limbs.map((l) => `${l.limb}:${l.side}`)).size === limbs.length,
        'lists the same limb and side twice',
      )
      .describe('The planned cuff sites.'),
    clearances: z
      .array(Clearance)
      .max(20)
      .optional()
      .describe(
        'Recorded medical clearances. Each names the findings (rule ids) it covers; a `refer` finding named by a clearance becomes `caution` with the modifications its rule asks for, a `refer` finding no clearance names stays `refer`. Left out = none.',
      ),
    clearance: z
      .never({ error: CLEARANCE_SHAPE_CHANGED })
      .optional()
      .meta({ deprecated: true, description: `Refused: ${CLEARANCE_SHAPE_CHANGED}` }),
  })
  .refine((r) => r.answers.recentSurgery !== 'yes' || r.surgeryDate !== undefined, {
    path: ['surgeryDate'],
    message: 'is required when answers.recentSurgery is yes',
  })
  .meta({ id: 'ScreeningRequest', description: 'Everything a BFR pre-participation screening needs.' });
export type ScreeningRequest = z.infer<typeof ScreeningRequest>;

export const ScreeningFinding = z
  .object({
    ruleId: z.string().describe('The rule that produced the finding.'),
    ruleVersion: z.number().int().describe('Revision of that rule.'),
    title: z.string().describe('What the rule checks.'),
    verdict: Verdict.exclude(['clear']).describe('What the finding means on its own.'),
    site: z
      .object({ limb: Limb.describe('Where the cuff goes.'), side: Side.describe('Which side.') })
      .nullable()
      .describe('The cuff site the finding applies to; null when it applies to the patient.'),
    clinicianMessage: z.string().describe('For the clinician.'),
    patientMessage: z.string().describe('For the patient, in plain words.'),
    missing: z.string().optional().describe('For `incomplete`: the item or measurement that is missing.'),
    modifications: z
      .array(Modification)
      .optional()
      .describe(
        'For `caution`: what the prescription must change; for `refer`: what it must change once a clearance that names the finding lifts it.',
      ),
    cleared: z
      .boolean()
      .describe('True when a recorded clearance that names this rule turned this `refer` into a `caution`.'),
    clearance: Clearance.optional().describe('For a cleared finding: the clearance that names it.'),
    inputs: z.record(z.string(), z.unknown()).describe('The values the rule read, by fact name.'),
    evidence: z.array(Evidence).describe('The sources behind the rule.'),
  })
  .meta({ id: 'ScreeningFinding', description: 'One finding of a screening, with the rule and evidence behind it.' });
export type ScreeningFinding = z.infer<typeof ScreeningFinding>;

export const ScreeningOutcome = z
  .object({
    verdict: Verdict.describe(
      'The worst that applies: `contraindicated` (no BFR), `incomplete` (information missing), `refer` (medical clearance needed), `caution` (allowed with modifications), `clear`.',
    ),
    screenedOn: isoDate.describe(
      'The day the screening applies to; ages and the age of the blood pressure are counted to it.',
    ),
    rulesetVersion: z.string().describe('Version of the rules that produced it.'),
    findings: z.array(ScreeningFinding).describe('Every finding, patient first, then each cuff site.'),
    missing: z.array(z.string()).describe('Items and measurements that must be supplied before a plan can be made.'),
    modifications: z.array(Modification).describe('What the prescription must change because of cautions.'),
    limbs: z
      .array(
        z.object({
          limb: Limb.describe('Where the cuff goes.'),
          side: Side.describe('Which side.'),
          verdict: Verdict.describe('Verdict for a cuff at this site: the patient verdict or worse.'),
        }),
      )
      .describe('The verdict for each planned cuff site.'),
    vteScore: z
      .object({
        total: z.number().int().describe('Points of the VTE risk screen.'),
        factors: z
          .array(
            z.object({
              ruleId: z.string().describe('The points rule.'),
              factor: z.string().describe('The risk factor, in words.'),
              points: z.number().int().describe('Points it adds.'),
            }),
          )
          .describe('What scored.'),
      })
      .describe('The points-based VTE risk screen (a secondary source; see its rules).'),
    clearances: z.array(Clearance).describe('The recorded clearances, each with the findings it covers.'),
  })
  .meta({ id: 'ScreeningOutcome', description: 'The verdict of a screening and everything that led to it.' });
export type ScreeningOutcome = z.infer<typeof ScreeningOutcome>;

export const Screening = ScreeningOutcome.extend({
  id: z.uuid().describe('Id of the stored screening.'),
  patientRef: z.string().describe("The clinic's reference for the patient."),
  screenedAt: z.string().describe('When the screening was made (ISO 8601).'),
  screenedBy: z.string().describe('Who made it (token subject).'),
}).meta({ id: 'Screening', description: 'A stored screening.' });
export type Screening = z.infer<typeof Screening>;

export const ScreeningParams = z.strictObject({ id: z.uuid().describe('Id of the screening.') });
