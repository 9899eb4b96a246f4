import { z } from 'zod';

const Coding = z
  .strictObject({
    system: z.string().min(1).max(500).describe('Code system URI.'),
    code: z.string().min(1).max(200).describe('The code.'),
    display: z.string().max(500).optional().describe('Its display, as the form showed it.'),
  })
  .meta({ id: 'FhirCoding', description: 'A FHIR Coding.' });

const VALUE_KEYS = [
  'valueBoolean',
  'valueDecimal',
  'valueInteger',
  'valueDate',
  'valueDateTime',
  'valueString',
  'valueCoding',
] as const;

export const QuestionnaireResponseAnswer = z
  .strictObject({
    valueBoolean: z.boolean().optional().describe('A boolean answer.'),
    valueDecimal: z.number().optional().describe('A decimal answer (heights, weights, circumferences).'),
    valueInteger: z.number().int().optional().describe('An integer answer (blood pressures).'),
    valueDate: z.string().max(10).optional().describe('A date answer, YYYY-MM-DD.'),
    valueDateTime: z.string().max(40).optional().describe('A date-time answer; not used by the screening.'),
    valueString: z.string().max(2000).optional().describe('A text answer.'),
    valueCoding: Coding.optional().describe('A coded answer: yes, no or unknown, and the limb, side and sex choices.'),
  })
  .refine((a) => VALUE_KEYS.filter((k) => a[k] !== undefined).length === 1, 'must hold exactly one value[x]')
  .meta({ id: 'QuestionnaireResponseAnswer', description: 'One answer to a question.' });
export type QuestionnaireResponseAnswer = z.infer<typeof QuestionnaireResponseAnswer>;

export interface QuestionnaireResponseItem {
  linkId: string;
  text?: string;
  definition?: string;
  answer?: QuestionnaireResponseAnswer[];
  item?: QuestionnaireResponseItem[];
}

export const QuestionnaireResponseItem: z.ZodType<QuestionnaireResponseItem> = z
  .strictObject({
    linkId: z.string().min(1).max(200).describe('The linkId of the Questionnaire item answered.'),
    text: z.string().max(2000).optional().describe('The question as shown.'),
    definition: z.string().max(500).optional().describe('ElementDefinition the item is based on; not used.'),
    answer: z
      .array(QuestionnaireResponseAnswer)
      .max(20)
      .optional()
      .describe('The answers; none means unanswered (unknown).'),
    get item() {
      return z.array(QuestionnaireResponseItem).max(200).optional().describe('The items of a group.');
    },
  })
  .meta({ id: 'QuestionnaireResponseItem', description: 'A group or question of the response.' });

const Reference = z
  .strictObject({
    reference: z.string().max(500).optional().describe('Literal reference, e.g. `Patient/123`.'),
    identifier: z
      .strictObject({
        system: z.string().max(500).optional().describe('Identifier system.'),
        value: z.string().max(200).optional().describe('Identifier value.'),
      })
      .optional()
      .describe('Logical reference by identifier.'),
    display: z.string().max(500).optional().describe('Text for the reference.'),
  })
  .meta({ id: 'FhirReference', description: 'A FHIR Reference.' });

export const QuestionnaireResponse = z
  .strictObject({
    resourceType: z.literal('QuestionnaireResponse').describe('Always `QuestionnaireResponse`.'),
    id: z.string().max(64).optional().describe("The sender's id of the response."),
    meta: z.record(z.string(), z.unknown()).optional().describe('FHIR meta of the sender; not used.'),
    text: z.record(z.string(), z.unknown()).optional().describe('Narrative of the sender; not used.'),
    identifier: z.record(z.string(), z.unknown()).optional().describe('Business identifier of the sender; not used.'),
    questionnaire: z
      .string()
      .min(1)
      .max(500)
      .describe(
        'Canonical URL of the Questionnaire answered, optionally `|version`: the one of `GET /v1/screenings/questionnaire`.',
      ),
    status: z
      .enum(['in-progress', 'completed', 'amended', 'entered-in-error', 'stopped'])
      .refine(
        (s) => s === 'completed' || s === 'amended',
        'must be completed or amended: a screening is made from finished answers only',
      )
      .describe('Only `completed` and `amended` responses are screened.'),
    subject: Reference.optional().describe('The patient; the screening takes the patient from the `patient` items.'),
    encounter: Reference.optional().describe('The encounter; not used.'),
    authored: z.string().max(40).optional().describe('When the answers were given.'),
    author: Reference.optional().describe('Who recorded the answers.'),
    source: Reference.optional().describe('Who answered (the patient or a clinician).'),
    item: z.array(QuestionnaireResponseItem).min(1).max(200).describe('The answers, grouped as in the Questionnaire.'),
  })
  .meta({
    id: 'QuestionnaireResponse',
    description: 'A FHIR R4 QuestionnaireResponse to the BFR screening questionnaire.',
  });
export type QuestionnaireResponse = z.infer<typeof QuestionnaireResponse>;
