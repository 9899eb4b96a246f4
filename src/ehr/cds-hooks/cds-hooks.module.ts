import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { Clock } from '../../common/clock';
import { registerErrorFormat } from '../../common/error-formats';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { CdsCardRecord } from './cds-card.entity';
import { CdsFeedback } from './cds-feedback';
import { CdsFeedbackRecord } from './cds-feedback.entity';
import { CdsHookCalls } from './cds-hook-calls';
import { CdsJwtVerifier } from './cds-jwt';
import { CdsJwtGuard } from './cds-jwt.guard';
import { CdsServicesController } from './cds-services.controller';
import { IssuedCards } from './issued-cards';
import { cdsHooksErrorFormat } from './operation-outcome';
import { StoredTokenIds } from './stored-token-ids';
import { CdsTokenId } from './cds-token-id.entity';

/** CDS Hooks 2.0: discovery, the screening and order services, feedback; EHRs authenticate with their own JWTs. */
@Module({
  imports: [TypeOrmModule.forFeature([CdsCardRecord, CdsFeedbackRecord, CdsTokenId])],
  controllers: [CdsServicesController],
  providers: [
    StoredTokenIds,
    {
      provide: CdsJwtVerifier,
      useFactory: (config: AppConfig, ids: StoredTokenIds, clock: Clock) =>
        new CdsJwtVerifier(config.cdsHooks.clients, ids, () => clock.now()),
      inject: [APP_CONFIG, StoredTokenIds, Clock],
    },
    CdsJwtGuard,
    IssuedCards,
    CdsFeedback,
    CdsHookCalls,
  ],
})
export class CdsHooksModule {
  constructor() {
    registerErrorFormat('cds-hooks', cdsHooksErrorFormat);
  }
}
