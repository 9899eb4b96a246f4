import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

import { version } from '../package.json';
import { Clock } from './common/clock';
import { withRequestExamples } from './openapi-examples';

const DESCRIPTION = `Clinical decision support and prescription service for blood-flow-restriction (BFR) training.

Every error is an RFC 9457 problem document (\`application/problem+json\`) with a stable \`code\`; its \`type\` URI resolves to a description of the problem.`;

const ERROR_MEDIA_TYPES: Record<string, string> = {
  Problem: 'application/problem+json',
  OperationOutcome: 'application/fhir+json',
};

/** Error answers are problem documents, or OperationOutcome on CDS Hooks routes: their media type says so. */
function problemMediaTypes(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      const responses = (operation as { responses?: Record<string, { content?: Record<string, unknown> }> }).responses;
      for (const [status, response] of Object.entries(responses ?? {})) {
        const json = response.content?.['application/json'];
        const mediaType =
          ERROR_MEDIA_TYPES[(json as { schema?: { $ref?: string } } | undefined)?.schema?.$ref?.split('/').pop() ?? ''];
        if (Number(status) >= 400 && json && mediaType) {
          response.content = { [mediaType]: json };
        }
      }
    }
  }
  return document;
}

/** The OpenAPI document, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('bfr-rx')
    .setDescription(DESCRIPTION)
    .setVersion(version)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A token from the configured OIDC issuer; locally, `npm run token -- --role clinician`.',
    })
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          "CDS Hooks routes only: a JWT the EHR signs for each call (CDS Hooks 2.0 security): ES384 or RS384, an issuer configured in CDS_CLIENTS, `aud` = the URL invoked, a fresh `jti`. This service's own bearer tokens are not accepted there.",
      },
      'cds-hooks-jwt',
    )
    .build();
  // Examples are dated on the service's today, so that a screening or plan tried from Swagger UI is current.
  const today = app.get(Clock).now().toISOString().slice(0, 10);
  return withRequestExamples(problemMediaTypes(SwaggerModule.createDocument(app, config)), today);
}
