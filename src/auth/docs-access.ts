import type { FastifyInstance } from 'fastify';

import type { AppConfig } from '../config/config';
import { DomainError, ErrorCode } from '../common/problem';
import { problemDocument } from '../common/problem.filter';
import type { TokenVerifier } from './token-verifier';

const DOCS = /^\/docs(-json|-yaml)?(\/|\?|$)/;

/** With API_DOCS=authenticated, the OpenAPI document and Swagger UI answer only a caller with a valid bearer token (any role). */
export function requireTokenForDocs(fastify: FastifyInstance, verifier: TokenVerifier, config: AppConfig): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!DOCS.test(request.url)) {
      return;
    }
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    try {
      if (scheme?.toLowerCase() !== 'bearer' || !token) {
        throw new DomainError(
          ErrorCode.Unauthenticated,
          'The API documents need a bearer token (Authorization: Bearer <token>) on this service.',
        );
      }
      request.principal = await verifier.verify(token);
    } catch (error) {
      const problem = problemDocument(
        error instanceof DomainError
          ? error
          : new DomainError(ErrorCode.Unauthenticated, 'The bearer token is not valid for this service.'),
        request,
        config,
      );
      return reply
        .code(problem.status)
        .header('www-authenticate', 'Bearer realm="bfr-rx"')
        .header('content-type', 'application/problem+json; charset=utf-8')
        .send(JSON.stringify(problem));
    }
  });
}
