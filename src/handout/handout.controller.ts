import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/api-problems.decorator';
import { PrescriptionParams } from '../prescription/prescription.schema';
import { PrescriptionsService } from '../prescription/prescriptions.service';
import { RuleCatalogue } from '../rules/catalogue';
import { handoutContent } from './handout-content';
import { handoutText, Language } from './handout-text';
import { renderHandout } from './render-handout';

const HandoutQuery = z.strictObject({
  lang: Language.default('en').describe('Language of the handout: `en` (default) or `es`.'),
});

@ApiTags('prescriptions')
@Controller('v1/prescriptions')
export class HandoutController {
  constructor(
    private readonly prescriptions: PrescriptionsService,
    private readonly catalogue: RuleCatalogue,
  ) {}

  @Get(':id/handout.pdf')
  @Roles('clinician', 'viewer', 'admin')
  @ApiOperation({
    summary: 'Print the patient handout',
    description:
      'The plan as an accessible, tagged PDF for the patient, in English or Spanish: what BFR is, when to stop and when to get help first, the exercises with cuff place and setting, the week, how the plan moves on, a checklist, what never to do, a session log and the contact. A plan that is not approved carries "DRAFT - not for use" on every page.',
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The handout (`application/pdf`).', schema: { type: 'string', format: 'binary' } })
  @ApiProblems(400, 404)
  async handout(
    @Param({ schema: PrescriptionParams }) params: { id: string },
    @Query({ schema: HandoutQuery }) query: z.infer<typeof HandoutQuery>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StreamableFile> {
    const prescription = await this.prescriptions.find(params.id, principal);
    const content = handoutContent(
      prescription,
      this.catalogue.table(handoutText),
      query.lang,
      prescription.approval?.contact ?? null,
    );
    const pdf = await renderHandout(content);
    return new StreamableFile(pdf, {
      type: 'application/pdf',
      disposition: `inline; filename="bfr-plan-${prescription.version}-${query.lang}.pdf"`,
      length: pdf.length,
    });
  }
}
