import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { Roles } from '../auth/auth.decorators';
import { ApiProblems } from '../common/api-problems.decorator';
import { RuleCatalogue } from '../rules/catalogue';
import { handoutText, patientStrings } from './handout-text';

const PatientWordingQuery = z.strictObject({
  lang: z.enum(['es']).describe('The language wanted: `es`. English is the source, so it needs no table.'),
});

export const PatientWording = z
  .object({
    lang: z.enum(['es']).describe('The language of the texts.'),
    texts: z
      .record(z.string(), z.string())
      .describe('Each patient-facing text of the rules data, keyed by its exact English.'),
  })
  .meta({
    id: 'PatientWording',
    description: 'The translation of every patient-facing text of the rules, as the handout prints it.',
  });
export type PatientWording = z.infer<typeof PatientWording>;

@ApiTags('prescriptions')
@Controller('v1/patient-wording')
export class PatientWordingController {
  private readonly spanish: PatientWording;

  constructor(catalogue: RuleCatalogue) {
    const { translations } = catalogue.table(handoutText);
    // The rules data does not load unless every patient-facing text has its Spanish.
    this.spanish = {
      lang: 'es',
      texts: Object.fromEntries(patientStrings(catalogue).map(({ text }) => [text, translations[text].es])),
    };
  }

  @Get()
  @Roles('clinician', 'viewer', 'admin')
  @ApiOperation({
    summary: "Read the patient wording in the patient's language",
    description:
      "The Spanish of every patient-facing text of the rules data (each finding's and caution's patient message, exercise names and instructions), keyed by its exact English: what the handout prints. A client shows a finding's `patientMessage` in Spanish by looking it up here.",
  })
  @ApiOkResponse({ standardSchema: PatientWording })
  @ApiProblems(400)
  read(@Query({ schema: PatientWordingQuery }) _query: z.infer<typeof PatientWordingQuery>): PatientWording {
    return this.spanish;
  }
}
