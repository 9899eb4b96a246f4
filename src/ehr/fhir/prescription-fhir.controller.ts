import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Bundle } from '@medplum/fhirtypes';

import { CurrentPrincipal, Roles } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { ApiProblems } from '../../common/api-problems.decorator';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { PrescriptionParams } from '../../prescription/prescription.schema';
import { PrescriptionsService } from '../../prescription/prescriptions.service';
import { prescriptionBundle } from './prescription-bundle';

@ApiTags('prescriptions')
@Controller('v1/prescriptions')
export class PrescriptionFhirController {
  constructor(
    private readonly prescriptions: PrescriptionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':id/fhir')
  @Roles('clinician', 'viewer', 'admin')
  @Header('content-type', 'application/fhir+json; charset=utf-8')
  @ApiOperation({
    summary: 'Read a plan as FHIR R4',
    description:
      'The plan version as a FHIR R4 `collection` Bundle for an EHR to file: a CarePlan (status draft, active when approved, revoked when cancelled or superseded), a ServiceRequest per exercise block with its timing, cuff site and dose (in words and in the `bfr-exercise-dose` extension), a DeviceRequest per block with the cuff setting (LOP, % LOP and mmHg, first session, longest inflation), a DocumentReference linking the handout route in English and Spanish, and a Provenance naming the approving clinician and the ruleset version. References inside the Bundle are `urn:uuid:` full URLs; the same version always gives the same Bundle.',
  })
  @ApiProduces('application/fhir+json')
  @ApiOkResponse({
    description: 'A FHIR R4 Bundle (`application/fhir+json`).',
    schema: {
      type: 'object',
      properties: { resourceType: { type: 'string', enum: ['Bundle'], description: 'Always `Bundle`.' } },
    },
  })
  @ApiProblems(400, 404)
  async bundle(
    @Param({ schema: PrescriptionParams }) params: { id: string },
    @CurrentPrincipal() principal: Principal,
  ): Promise<Bundle> {
    const prescription = await this.prescriptions.find(params.id, principal);
    return prescriptionBundle(prescription, { baseUrl: this.config.publicBaseUrl });
  }
}
