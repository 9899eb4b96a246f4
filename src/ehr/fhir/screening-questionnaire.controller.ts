import { Body, Controller, Get, Header, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Questionnaire } from '@medplum/fhirtypes';

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
import { screeningQuestionnaire } from './screening-questionnaire';

@ApiTags('screenings')
@Controller('v1/screenings')
export class ScreeningQuestionnaireController {
  private readonly questionnaire: Questionnaire;

  constructor(
    private readonly screenings: ScreeningsService,
    catalogue: RuleCatalogue,
  ) {
    this.questionnaire = screeningQuestionnaire(catalogue);
  }

  @Get('questionnaire')
  @Roles('clinician', 'viewer', 'admin')
  @Header('content-type', 'application/fhir+json; charset=utf-8')
  @ApiOperation({
    summary: 'Read the screening as a FHIR Questionnaire',
    description:
      'The BFR screening as a FHIR R4 Questionnaire, generated from the screening items: patient details, one yes/no/unknown question per item (with its SNOMED CT meaning where a value set gives one), the surgery date when there was surgery, the blood pressure, one repeating group per cuff site, and the clearance. The linkId of each question is the path of the `POST /v1/screenings` field it fills. Its version changes whenever the items do.',
  })
  @ApiProduces('application/fhir+json')
  @ApiOkResponse({ description: 'A FHIR R4 Questionnaire (`application/fhir+json`).', schema: { type: 'object', properties: { resourceType: { type: 'string', enum: ['Questionnaire'], description: 'Always `Questionnaire`.' } } } })
  read(): Questionnaire {
    return this.questionnaire;
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
  async screen(@Body({ schema: QuestionnaireResponse }) body: QuestionnaireResponse, @CurrentPrincipal() principal: Principal): Promise<Screening> {
    const { request, errors } = screeningFromQuestionnaireResponse(body, this.questionnaire);
    if (!request) {
      const fields = [...new Set(errors.map((e) => e.field))];
      throw new DomainError(ErrorCode.ValidationFailed, `The questionnaire response has ${errors.length} refused answer${errors.length === 1 ? '' : 's'}: ${fields.join(', ')}.`, errors);
    }
    return this.screenings.screen(request, principal);
  }
}
