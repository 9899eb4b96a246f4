import { Module } from '@nestjs/common';

import { PrescriptionModule } from '../prescription/prescription.module';
import { HandoutController } from './handout.controller';
import { PatientWordingController } from './patient-wording.controller';

@Module({ imports: [PrescriptionModule], controllers: [HandoutController, PatientWordingController] })
export class HandoutModule {}
