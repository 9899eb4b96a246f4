import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Logger } from 'nestjs-pino';

import { AppModule, type AppOptions } from './app.module';
import { registerAuditHook } from './audit/audit.hook';
import { AuditTrail } from './audit/audit-trail.service';
import { requireTokenForDocs } from './auth/docs-access';
import type { TokenVerifier } from './auth/token-verifier';
import { TOKEN_VERIFIER } from './auth/tokens';
import { registerLoadShedding } from './common/load-shedding';
import {
  boundedJsonParser,
  clientErrorHandler,
  frameworkErrors,
  isIncompletePreflight,
  registerRequestBoundary,
} from './common/request-boundary';
import { callerRequestId, serviceRequestId } from './common/request-id';
import type { AppConfig } from './config/config';
import { databaseQueueOf } from './database/data-source';
import { ownerOnlySqliteFile } from './common/owner-only';
import { cdsCorsOptions } from './ehr/cds-hooks/cds-cors';
import { isCdsHooksPath } from './ehr/cds-hooks/operation-outcome';
import { buildOpenApiDocument } from './openapi';
import { serveWebApp } from './web-app/serve-web-app';

/** Answers that may carry patient data: the API, the FHIR and PDF renderings under it, and CDS Hooks. */
const PATIENT_DATA = /^\/(v1|cds-services)(\/|\?|$)/;

/**
 * Builds the service: Fastify with JSON bodies only, one problem+json error path, the OpenAPI
 * document and UI. Used by main.ts and by the tests, so both run the same application.
 */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestFastifyApplication> {
  if (config.database.kind === 'sqlite') {
    ownerOnlySqliteFile(config.database.file);
  }
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: serviceRequestId,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    frameworkErrors: frameworkErrors(config),
    clientErrorHandler: clientErrorHandler(config),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
    bodyParser: false,
    // A start-up failure is thrown to the caller (main.ts says what is wrong and exits), not ended here.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  // Bodies are JSON (plain or FHIR) or nothing: any other content type is answered 415.
  fastify.removeAllContentTypeParsers();
  // FHIR clients send resources (a QuestionnaireResponse) as application/fhir+json: the same JSON parser.
  const parseJson = boundedJsonParser(fastify.getDefaultJsonParser('error', 'error'));
  app.useBodyParser<RawServerDefault>('application/json', {}, parseJson);
  app.useBodyParser<RawServerDefault>('application/fhir+json', {}, parseJson);
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const callers = callerRequestId(request);
    if (callers !== undefined) {
      reply.header('x-caller-request-id', callers);
    }
    // No browser, proxy or shared cache may keep a copy of a patient's data.
    if (PATIENT_DATA.test(request.url)) {
      reply.header('cache-control', 'no-store');
    }
  });
  registerRequestBoundary(fastify, config);
  registerAuditHook(fastify, app.get(AuditTrail), config);
  await registerLoadShedding(app, config, databaseQueueOf(app.get(DataSource)));

  await app.register(helmet, {
    // Swagger UI sets inline styles and data: images; everything else is JSON or PDF.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  const apiCors = {
    origin: config.corsOrigins,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'x-caller-request-id', 'retry-after'],
    maxAge: 600,
  };
  // CDS Hooks routes have their own allow-list: EHR clients, not the clinic's own pages.
  const cdsCors = cdsCorsOptions(config.cdsHooks);
  app.enableCors({
    delegator: (request, callback) =>
      callback(
        null,
        isIncompletePreflight(request) ? { origin: false } : isCdsHooksPath(request.url) ? cdsCors : apiCors,
      ),
  });

  await serveWebApp(fastify, config);
  if (config.apiDocs === 'authenticated') {
    requireTokenForDocs(fastify, app.get<TokenVerifier>(TOKEN_VERIFIER), config);
  }
  if (config.apiDocs !== 'off') {
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  }
  await app.init();
  await fastify.ready();
  return app;
}
