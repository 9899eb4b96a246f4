import { z } from 'zod';

import { Problem } from '../common/problem';
import { ScreeningOutcome } from '../screening/screening.schema';
import { Plan } from './plan.schema';
import { EnvelopeBreachSchema } from './safety-envelope.schema';

export const PrescriptionStatus = z.enum(['draft', 'approved', 'cancelled', 'superseded']);

const Acknowledgement = z
  .strictObject({
    caution: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('Id of the caution acknowledged (`cautions[].id` of the plan).'),
    note: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .optional()
      .describe('What the clinician decided about it, e.g. how the risk is managed.'),
  })
  .meta({ id: 'Acknowledgement', description: 'A caution the approving clinician has read and accepted.' });

export const ClinicianContact = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(2)
      .max(200)
      .describe('Name and role as the patient should read them, e.g. "Sam Lee, physiotherapist".'),
    phone: z
      .string()
      .trim()
      .regex(/^[0-9+() .-]{5,30}$/, 'must be a phone number')
      .optional()
      .describe('Phone number for questions.'),
    email: z.email().max(200).optional().describe('Email address for questions.'),
  })
  .meta({ id: 'ClinicianContact', description: 'How the patient reaches the clinician; printed on the handout.' });
export type ClinicianContact = z.infer<typeof ClinicianContact>;

export const ApprovalRequest = z
  .strictObject({
    contact: ClinicianContact.optional().describe(
      'How the patient reaches the approving clinician; printed on the handout (a blank line to fill in otherwise).',
    ),
    acknowledgements: z
      .array(Acknowledgement)
      .max(100)
      .default([])
      .refine((list) => new Set(list.map((a) => a.caution)).size === list.length, 'acknowledges the same caution twice')
      .describe('One acknowledgement for each caution of the plan.'),
  })
  .meta({ id: 'ApprovalRequest', description: 'A clinician signs a draft plan, acknowledging each of its cautions.' });
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const CancellationRequest = z
  .strictObject({ reason: z.string().trim().min(3).max(2000).describe('Why the plan is cancelled.') })
  .meta({ id: 'CancellationRequest', description: 'Cancels a draft or approved plan.' });
export type CancellationRequest = z.infer<typeof CancellationRequest>;

export const Prescription = z
  .object({
    id: z.uuid().describe('Id of this version.'),
    seriesId: z.uuid().describe('Id shared by every version of this plan (the id of the first).'),
    version: z.number().int().describe('Version within the series, from 1.'),
    previousVersionId: z.uuid().nullable().describe('The version this one revises.'),
    supersededBy: z.uuid().nullable().describe('The approved version that replaced this one.'),
    status: PrescriptionStatus.describe(
      '`draft` (may be approved), `approved` (signed, immutable), `cancelled`, or `superseded` by a newer approved version.',
    ),
    patientRef: z.string().describe("The clinic's reference for the patient."),
    createdAt: z.string().describe('When the draft was made (ISO 8601).'),
    createdBy: z.string().describe('Who made it (token subject).'),
    approval: z
      .object({
        by: z.string().describe('Who approved (token subject).'),
        at: z.string().describe('When (ISO 8601).'),
        acknowledgements: z.array(Acknowledgement).describe('The cautions acknowledged.'),
        contact: ClinicianContact.nullable().describe('How the patient reaches the approving clinician.'),
      })
      .nullable()
      .describe('The sign-off; null until approved.'),
    cancellation: z
      .object({
        by: z.string().describe('Who cancelled.'),
        at: z.string().describe('When (ISO 8601).'),
        reason: z.string().describe('Why.'),
      })
      .nullable()
      .describe('The cancellation; null unless cancelled.'),
    plan: Plan,
  })
  .meta({ id: 'Prescription', description: 'A stored BFR plan version and its lifecycle.' });
export type Prescription = z.infer<typeof Prescription>;

export const PrescriptionSummary = Prescription.pick({
  id: true,
  seriesId: true,
  version: true,
  status: true,
  patientRef: true,
  createdAt: true,
  createdBy: true,
})
  .extend({
    condition: z.string().describe('What the plan treats.'),
    phase: z.string().describe('Phase id.'),
    rulesetVersion: z.string().describe('Version of the rules that made it.'),
  })
  .meta({ id: 'PrescriptionSummary', description: 'A plan version in a list.' });
export type PrescriptionSummary = z.infer<typeof PrescriptionSummary>;

export const PrescriptionPage = z
  .object({
    items: z.array(PrescriptionSummary).describe('Newest first.'),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
  })
  .meta({ id: 'PrescriptionPage', description: 'One page of plan versions for a patient.' });
export type PrescriptionPage = z.infer<typeof PrescriptionPage>;

export const PrescriptionListQuery = z.strictObject({
  patient: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe(
      "The clinic's reference for the patient; left out, every patient of the organization (the clinic's patient list).",
    ),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Page size (1-100, default 20).'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a cursor this service gave out')
    .optional()
    .describe('`nextCursor` of the previous page.'),
});
export type PrescriptionListQuery = z.infer<typeof PrescriptionListQuery>;

export const PrescriptionParams = z.strictObject({ id: z.uuid().describe('Id of the prescription version.') });

export const PrescriptionTrace = z
  .object({
    id: z.uuid().describe('Id of the prescription version.'),
    rulesetVersion: z.string().describe('Version of the rules evaluated.'),
    generatedOn: z.string().describe('The day the plan was made for.'),
    trace: z
      .record(z.string(), z.unknown())
      .describe(
        'Every rule of the selection, LOP, dosing and schedule rulesets as evaluated, with each named condition, the value read and the result.',
      ),
  })
  .meta({ id: 'PrescriptionTrace', description: 'The full rule trace behind a plan.' });

/** A refused plan: the problem, with the screening, LOP findings or envelope breaches behind it. */
export const PrescriptionRefusal = Problem.extend({
  screening: ScreeningOutcome.optional().describe(
    'The screening that refused the plan (CONTRAINDICATED, SCREENING_INCOMPLETE, REFERRAL_REQUIRED).',
  ),
  lopFindings: z
    .array(
      z.object({
        site: z.string().describe('Cuff site.'),
        position: z.string().describe('Body position of the exercises that need it.'),
        ruleId: z.string().describe('The LOP rule.'),
        message: z.string().describe('What to do.'),
      }),
    )
    .optional()
    .describe('For LOP_REQUIRED: each site whose LOP must be measured, and why.'),
  breaches: z
    .array(EnvelopeBreachSchema)
    .optional()
    .describe('For ENVELOPE_BREACH: each value over its limit and the rules that produced it.'),
  omitted: z
    .array(
      z.object({
        exercise: z.string().describe('Exercise.'),
        side: z.string().describe('Side.'),
        reason: z.string().describe('Why.'),
      }),
    )
    .optional()
    .describe('For PLAN_NOT_POSSIBLE: the exercises that could not be used.'),
  missing: z.array(z.string()).optional().describe('For ACKNOWLEDGEMENT_REQUIRED: cautions not acknowledged.'),
  unknown: z
    .array(z.string())
    .optional()
    .describe('For ACKNOWLEDGEMENT_REQUIRED: acknowledged ids that are not cautions of the plan.'),
}).meta({
  id: 'PrescriptionRefusal',
  description: 'Why no plan was made or the plan could not be approved (problem+json).',
});
