import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { IdempotencyRecord } from './idempotency-record.entity';

/** The stored answers to idempotent requests; the application installs IdempotencyInterceptor on every route. */
@Module({ imports: [TypeOrmModule.forFeature([IdempotencyRecord])] })
export class IdempotencyModule {}
