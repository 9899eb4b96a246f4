import { Module } from '@nestjs/common';

import { PrescriptionModule } from '../../prescription/prescription.module';
import { ScreeningModule } from '../../screening/screening.module';
import { PrescriptionFhirController } from './prescription-fhir.controller';
import { ScreeningQuestionnaireController } from './screening-questionnaire.controller';

/** FHIR R4 out of bfr-rx: plans as Bundles, the screening as a Questionnaire. */
@Module({
  imports: [PrescriptionModule, ScreeningModule],
  controllers: [PrescriptionFhirController, ScreeningQuestionnaireController],
})
export class FhirModule {}
