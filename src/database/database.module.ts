import { Global, Module } from '@nestjs/common';

import { UnitOfWork } from './unit-of-work';

/** The unit of work every module writes through; it records each write in the audit trail. */
@Global()
@Module({ providers: [UnitOfWork], exports: [UnitOfWork] })
export class DatabaseModule {}
