import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

import { version } from '../package.json';

const DESCRIPTION = `Clinical decision support and prescription service for blood-flow-restriction (BFR) training.

Every error is an RFC 9457 problem document (\`application/problem+json\`) with a stable \`code\`; its \`type\` URI resolves to a description of the problem.`;

/** Error answers are problem documents: their media type says so. */
function problemMediaTypes(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      const responses = (operation as { responses?: Record<string, { content?: Record<string, unknown> }> }).responses;
      for (const [status, response] of Object.entries(responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json && (json as { schema?: { $ref?: string } }).schema?.$ref?.endsWith('/Problem')) {
          response.content = { 'application/problem+json': json };
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
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token from the configured OIDC issuer; locally, `npm run token -- --role clinician`.' })
    .build();
  return problemMediaTypes(SwaggerModule.createDocument(app, config));
}
