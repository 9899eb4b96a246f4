import { DynamicModule, Global, Module, RequestMethod, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';

import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { Clock, SystemClock } from './common/clock';
import { ProblemFilter } from './common/problem.filter';
import { ProblemsController } from './common/problems.controller';
import { simulatedCuffs, SimTransport } from './cuff-sim/sim-transport';
import { RequestValidationPipe } from './common/validation.pipe';
import { APP_CONFIG, type AppConfig } from './config/config';
import { dataSourceOptions, openDataSource } from './database/data-source';
import { DatabaseModule } from './database/database.module';
import { RequestScopeInterceptor } from './database/unit-of-work';
import { DeviceAdapterModule } from './device-adapter/device-adapter.module';
import { DeviceSessionModule } from './device-session/device-session.module';
import type { Timers } from './device-adapter/timers';
import { HealthModule } from './health/health.module';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { CdsHooksModule } from './ehr/cds-hooks/cds-hooks.module';
import { pinoHttpOptions } from './logging';
import { FhirModule } from './ehr/fhir/fhir.module';
import { HandoutModule } from './handout/handout.module';
import { PrescriptionModule } from './prescription/prescription.module';
import { RulesModule } from './rules/rules.module';
import { DATA_SPECS, loadRuleCatalogue, RULESET_SPECS } from './rulesets';
import { ScreeningModule } from './screening/screening.module';
import { WebAppModule } from './web-app/web-app.module';

@Global()
@Module({})
class ConfigModule {
  static with(config: AppConfig, clock: Clock): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
      ],
      exports: [APP_CONFIG, Clock],
    };
  }
}

export interface AppOptions {
  /** Modules beside the service's own, e.g. a test harness for a shared mechanism. */
  features?: Array<Type | DynamicModule>;
  clock?: Clock;
  /** The clock of the cuff side (simulator, transport, sessions); tests pass VirtualTimers. */
  timers?: Timers;
  /** Where the log lines go instead of stdout; tests read them to check what a log may hold. */
  logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    { features = [], clock = new SystemClock(), timers, logDestination }: AppOptions = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.with(config, clock),
        // Every route, unmatched ones included: the library's default pattern matches none on Nest 12 with Fastify.
        LoggerModule.forRoot({
          pinoHttp: logDestination ? [pinoHttpOptions(config), logDestination] : pinoHttpOptions(config),
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        }),
        // Each module registers its own entities (TypeOrmModule.forFeature).
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(config.database, []), autoLoadEntities: true }),
          dataSourceFactory: (options) => openDataSource(options!),
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }],
          errorMessage: `Rate limit reached: at most ${config.rateLimitPerMinute} requests a minute from one address.`,
          skipIf: () => config.rateLimitPerMinute === 0,
        }),
        AuthModule,
        AuditModule,
        DatabaseModule,
        IdempotencyModule,
        // rules-data/ is loaded and checked here, before the application is built: an invalid rule file stops the start.
        RulesModule.forRoot(loadRuleCatalogue(config.rulesDir), {
          rulesets: RULESET_SPECS,
          data: DATA_SPECS,
          load: loadRuleCatalogue,
        }),
        HealthModule,
        ScreeningModule,
        PrescriptionModule,
        HandoutModule,
        FhirModule,
        CdsHooksModule,
        DeviceAdapterModule.forRoot(config.cuffs, {
          simulator: (cuffs, cuffTimers) =>
            new SimTransport({
              devices: simulatedCuffs(cuffs.simulatedDevices, cuffs.simulatedLopMmHg ?? undefined),
              timers: cuffTimers,
            }),
          timers,
          sharedSequence: config.database.kind === 'postgres',
        }),
        DeviceSessionModule,
        WebAppModule,
        ...features,
      ],
      controllers: [ProblemsController],
      providers: [
        // Rate limiting runs before authentication, so floods of bad tokens are limited too.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
        // Outermost, so that every unit of work of a request knows the request it records.
        { provide: APP_INTERCEPTOR, useClass: RequestScopeInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
