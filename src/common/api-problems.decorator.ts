import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

import { Problem } from './problem';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: every refused field is listed in `errors[]`.',
  401: 'No bearer token, or one that is not valid for this service.',
  403: "The token's roles do not allow this.",
  404: "Not found: unknown, or of another organization (answered alike, so a record's existence is not revealed).",
  409: 'A request with the same Idempotency-Key is still in flight.',
  413: 'The body exceeds the size limit.',
  415: 'The body is not `application/json`.',
  422: 'The Idempotency-Key was used for a different request.',
  429: 'Rate limit reached; see `Retry-After`.',
  500: 'Unexpected error; nothing was changed.',
  503: 'A dependency is unavailable.',
};

/** Documents the problem+json answers of an endpoint. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Problem.', standardSchema: Problem }),
    ),
  );
}
