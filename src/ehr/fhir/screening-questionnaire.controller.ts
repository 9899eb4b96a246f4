import { Body, Controller, Get, Header, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Questionnaire } from '@medplum/fhirtypes';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import { CurrentPrincipal, Roles } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { ApiProblems } from '../../common/api-problems.decorator';
import { DomainError, ErrorCode } from '../../common/problem';
import { Idempotent } from '../../idempotency/idempotent.decorator';
import { RuleCatalogue } from '../../rules/catalogue';
import { Screening } from '../../screening/screening.schema';
import { ScreeningsService } from '../../screening/screenings.service';
import { QuestionnaireResponse } from './questionnaire-response.schema';
import { screeningFromQuestionnaireResponse } from './screening-from-questionnaire-response';
import { languageFromHeader, QUESTIONNAIRE_LANGUAGES, QuestionnaireLanguage } from './questionnaire-text';
import { screeningQuestionnaire } from './screening-questionnaire';

const QuestionnaireQuery = z.strictObject({
  lang: QuestionnaireLanguage.optional().describe(
    'Language of the questionnaire: `en` or `es`. Wins over `Accept-Language`; any other value is refused with a 400 naming `lang`.',
  ),
});

@ApiTags('screenings')
@Controller('v1/screenings')
export class ScreeningQuestionnaireController {
  /** The English questionnaire reads every response: the languages share their items and version. */
  private readonly questionnaire: Questionnaire;
  private readonly translated: Record<QuestionnaireLanguage, Questionnaire>;

  constructor(
    private readonly screenings: ScreeningsService,
    catalogue: RuleCatalogue,
  ) {
    this.translated = Object.fromEntries(
      QUESTIONNAIRE_LANGUAGES.map((lang) => [lang, screeningQuestionnaire(catalogue, lang)]),
    ) as Record<QuestionnaireLanguage, Questionnaire>;
    this.questionnaire = this.translated.en;
  }

  @Get('questionnaire')
  @Roles('clinician', 'viewer', 'admin')
  @Header('content-type', 'application/fhir+json; charset=utf-8')
  @ApiOperation({
    summary: 'Read the screening as a FHIR Questionnaire',
    description:
      'The BFR screening as a FHIR R4 Questionnaire, generated from the screening items: patient details, one yes/no/unknown question per item (with its SNOMED CT meaning where a value set gives one, and help text as a `display` child marked with the `help` item control), the surgery date when there was surgery, the blood pressure, one repeating group per cuff site, and the clearance. The linkId of each question is the path of the `POST /v1/screenings` field it fills. Its version changes whenever the items do.\n\n' +
      'In English (the default) or Spanish: `?lang=es` or `Accept-Language: es` (any region, e.g. `es-419`; weights honoured) gives the Spanish texts, help texts and answer displays, with the FHIR `language` element and the `Content-Language` header set. `lang` wins over the header; a `lang` other than `en` or `es` is refused (400 naming `lang`), while a header naming no supported language gets English. Codes, linkIds and the version are the same in both languages, so a QuestionnaireResponse to either is read alike.',
  })
  @ApiProduces('application/fhir+json')
  @ApiHeader({
    name: 'Accept-Language',
    required: false,
    description: 'Preferred language when `lang` is not given: `es` for Spanish, otherwise English.',
  })
  @ApiOkResponse({
    description: 'A FHIR R4 Questionnaire (`application/fhir+json`).',
    schema: {
      type: 'object',
      properties: { resourceType: { type: 'string', enum: ['Questionnaire'], description: 'Always `Questionnaire`.' } },
    },
  })
  @ApiProblems(400)
  read(
    @Query({ schema: QuestionnaireQuery }) query: z.infer<typeof QuestionnaireQuery>,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Questionnaire {
    const lang = query.lang ?? languageFromHeader(acceptLanguage);
    reply.header('content-language', lang);
    reply.header('vary', 'Accept-Language');
    return this.translated[lang];
  }

  @Post('questionnaire-responses')
  @Roles('clinician')
  @Idempotent()
  @ApiOperation({
    summary: 'Screen a patient from a FHIR QuestionnaireResponse',
    description:
      'Takes a completed QuestionnaireResponse to the screening questionnaire, screens the patient with the same rules as `POST /v1/screenings` and returns the same stored screening. An unanswered question counts as unknown. A refused answer is reported with its linkId as `field` and its place in the body as `pointer`. Accepts `application/json` and `application/fhir+json`.',
  })
  @ApiCreatedResponse({ standardSchema: Screening })
  @ApiProblems(400, 413, 415)
  async screen(
    @Body({ schema: QuestionnaireResponse }) body: QuestionnaireResponse,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Screening> {
    const { request, errors } = screeningFromQuestionnaireResponse(body, this.questionnaire);
    if (!request) {
      const fields = [...new Set(errors.map((e) => e.field))];
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `The questionnaire response has ${errors.length} refused answer${errors.length === 1 ? '' : 's'}: ${fields.join(', ')}.`,
        errors,
      );
    }
    return this.screenings.screen(request, principal);
  }
}
