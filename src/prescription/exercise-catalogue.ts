import { z } from 'zod';

import type { DataSpec } from '../rules/data-spec';
import { Evidence } from '../rules/rule-file.schema';
import { Limb } from '../screening/screening.ruleset';
import { BodyPosition, Equipment, Modality } from './indication';

export const ExerciseId = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens');

export const Exercise = z
  .strictObject({
    id: ExerciseId.describe('Stable id, e.g. `leg-press`.'),
    name: z.string().trim().min(3).describe('Name as the clinician knows it.'),
    patientName: z.string().trim().min(3).describe('Name as the patient reads it on the handout.'),
    modality: Modality.describe('Resistance, aerobic or passive BFR.'),
    cuffSite: Limb.describe('Where the cuff goes: the top of the thigh or the upper arm of the working limb.'),
    position: BodyPosition.describe('Body position during the exercise; it decides which LOP applies.'),
    load: z
      .enum(['external', 'body-weight', 'none'])
      .describe('External load (dosed as % 1RM), body weight, or no load.'),
    equipment: z.array(Equipment).describe('What is needed; empty when nothing is.'),
    instructions: z.string().trim().min(20).describe('How to do it, in plain words for the patient.'),
    evidence: z.array(Evidence).min(1).describe('Where the exercise comes from.'),
  })
  .meta({ id: 'Exercise', description: 'An exercise of the catalogue, done with a cuff on one limb.' });
export type Exercise = z.infer<typeof Exercise>;

export const ExerciseCatalogueFile = z.strictObject({
  $schema: z.string().optional(),
  title: z.string().trim().min(3),
  description: z.string().trim().min(10),
  exercises: z
    .array(Exercise)
    .min(1)
    .refine((list) => new Set(list.map((e) => e.id)).size === list.length, 'lists the same exercise id twice'),
});
export type ExerciseCatalogueFile = z.infer<typeof ExerciseCatalogueFile>;

/** `rules-data/exercises.data.json`. */
export const exerciseCatalogue: DataSpec<ExerciseCatalogueFile> = { name: 'exercises', schema: ExerciseCatalogueFile };
