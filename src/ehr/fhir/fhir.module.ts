import { Module } from '@nestjs/common';

import { PrescriptionModule } from '../../prescription/prescription.module';
import { PrescriptionFhirController } from './prescription-fhir.controller';

/** FHIR R4 out of bfr-rx: plans as Bundles, the screening as a Questionnaire. */
@Module({ imports: [PrescriptionModule], controllers: [PrescriptionFhirController] })
export class FhirModule {}
