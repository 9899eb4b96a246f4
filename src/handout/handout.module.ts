import { Module } from '@nestjs/common';

import { PrescriptionModule } from '../prescription/prescription.module';
import { HandoutController } from './handout.controller';

@Module({ imports: [PrescriptionModule], controllers: [HandoutController] })
export class HandoutModule {}
