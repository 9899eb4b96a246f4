import { z } from 'zod';

import { LimbSite, ScreeningRequest } from '../screening/screening.schema';
import { ExerciseId } from './exercise-catalogue';
import { BodyPosition, Condition, CONDITIONS, Equipment, Goal, LopMethod, WeightBearing } from './indication';

const isoDate = z.iso.date();

export const LopMeasurement = z
  .strictObject({
    mmHg: z.number().int().min(40).max(500).describe('Limb occlusion pressure, mmHg.'),
    method: LopMethod.describe('How it was measured.'),
    position: BodyPosition.describe('Body position during the measurement.'),
    cuffWidthCm: z.number().min(2).max(30).describe('Width of the cuff it was measured with, cm.'),
    measuredOn: isoDate.describe('Date of the measurement.'),
    readings: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe('How many readings the value rests on (oximeter methods need at least 2).'),
    device: z.string().trim().min(1).max(200).optional().describe('Device or cuff model, as recorded.'),
  })
  .meta({ id: 'LopMeasurement', description: 'A measured limb occlusion pressure with its provenance.' });
export type LopMeasurement = z.infer<typeof LopMeasurement>;

export const PrescriptionLimb = LimbSite.extend({
  cuffWidthCm: z
    .number()
    .min(2)
    .max(30)
    .describe(
      'Width of the cuff that will be used at this site, cm; %LOP only holds for the cuff the LOP was measured with.',
    ),
  lop: z
    .array(LopMeasurement)
    .max(6)
    .default([])
    .describe(
      'Measured LOPs of this site, one per body position at most; the one matching the exercise position and cuff is used.',
    ),
}).meta({
  id: 'PrescriptionLimb',
  description: 'A planned cuff site: what was found there, the cuff to use and its measured LOPs.',
});
export type PrescriptionLimb = z.infer<typeof PrescriptionLimb>;

export const Indication = z
  .strictObject({
    condition: Condition.describe(
      `What is treated: ${Object.entries(CONDITIONS)
        .map(([id, c]) => `\`${id}\` (${c.label})`)
        .join(', ')}.`,
    ),
    side: z.enum(['left', 'right']).describe('The injured or operated side.'),
    surgeryDate: isoDate.optional().describe('Date of the operation; required for a surgical condition.'),
    onsetDate: isoDate
      .optional()
      .describe('Date the injury began or was diagnosed; required for a condition treated without surgery.'),
    weightBearing: WeightBearing.describe('Weight bearing allowed on the injured limb.'),
  })
  .superRefine((indication, ctx) => {
    const surgical = CONDITIONS[indication.condition].surgical;
    if (surgical && !indication.surgeryDate) {
      ctx.addIssue({ code: 'custom', path: ['surgeryDate'], message: `is required for ${indication.condition}` });
    }
    if (!surgical && !indication.onsetDate) {
      ctx.addIssue({ code: 'custom', path: ['onsetDate'], message: `is required for ${indication.condition}` });
    }
    if (surgical && indication.onsetDate) {
      ctx.addIssue({
        code: 'custom',
        path: ['onsetDate'],
        message: `is not used for ${indication.condition}; give surgeryDate`,
      });
    }
    if (!surgical && indication.surgeryDate) {
      ctx.addIssue({
        code: 'custom',
        path: ['surgeryDate'],
        message: `is not used for ${indication.condition}, which is treated without surgery`,
      });
    }
  })
  .meta({ id: 'Indication', description: 'What the plan treats and where the patient is in recovery.' });
export type Indication = z.infer<typeof Indication>;

const screening = ScreeningRequest.shape;

export const PrescriptionRequest = z
  .strictObject({
    patient: screening.patient,
    answers: screening.answers,
    surgeryDate: screening.surgeryDate.describe(
      'Date of the most recent surgery, for the screening. For a surgical indication leave it out (indication.surgeryDate is used) or give the same date; a different one is refused.',
    ),
    bloodPressure: screening.bloodPressure,
    clearances: screening.clearances,
    clearance: screening.clearance,
    limbs: z
      .array(PrescriptionLimb)
      .min(1)
      .max(4)
      .refine(
        (limbs) => new Set(limbs.map((l) => `${l.limb}:${l.side}`)).size === limbs.length,
        'lists the same limb and side twice',
      )
      .describe('The planned cuff sites with the cuff to use and their LOPs; every site is screened.'),
    indication: Indication,
    goal: Goal.describe('What the plan is for.'),
    newToBfr: z
      .enum(['yes', 'no', 'unknown'])
      .default('unknown')
      .describe('Whether this is the first BFR programme; unknown is treated as yes.'),
    equipment: z
      .array(Equipment)
      .optional()
      .describe(
        'Equipment the patient can use; exercises that need anything else are left out. Left out = everything in the catalogue is available.',
      ),
    oneRepMaxKg: z
      .record(ExerciseId, z.number().min(1).max(500))
      .default({})
      .describe('Measured or estimated one-repetition maximum by exercise id, kg; gives the load in kg.'),
  })
  .superRefine((request, ctx) => {
    if (request.answers.recentSurgery === 'yes' && !request.surgeryDate && !request.indication.surgeryDate) {
      ctx.addIssue({
        code: 'custom',
        path: ['surgeryDate'],
        message: 'is required when answers.recentSurgery is yes (unless the indication is surgical)',
      });
    }
    // One surgery date drives both the screening and the phase: a surgical indication is the recent surgery.
    const operated = request.indication.surgeryDate;
    if (operated && request.surgeryDate && request.surgeryDate !== operated) {
      ctx.addIssue({
        code: 'custom',
        path: ['surgeryDate'],
        message: `disagrees with indication.surgeryDate (${operated}); give the same date or leave surgeryDate out`,
      });
      ctx.addIssue({
        code: 'custom',
        path: ['indication', 'surgeryDate'],
        message: `disagrees with surgeryDate (${request.surgeryDate}); one surgery date drives both the screening and the phase`,
      });
    }
    if (operated && request.answers.recentSurgery === 'no') {
      ctx.addIssue({
        code: 'custom',
        path: ['answers', 'recentSurgery'],
        message: `is no, but indication.surgeryDate (${operated}) records the operation treated: a surgical indication counts as recent surgery; answer yes or leave it out`,
      });
    }
    request.limbs.forEach((limb, i) => {
      const positions = limb.lop.map((m) => `${m.position}:${m.cuffWidthCm}`);
      if (new Set(positions).size !== positions.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['limbs', i, 'lop'],
          message: 'lists two LOPs for the same body position and cuff width',
        });
      }
    });
  })
  .meta({
    id: 'PrescriptionRequest',
    description:
      'Everything a BFR plan needs: the screening, the indication, the cuff sites with their LOPs, and what the patient can use.',
  });
export type PrescriptionRequest = z.infer<typeof PrescriptionRequest>;
