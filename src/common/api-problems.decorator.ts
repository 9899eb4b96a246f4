import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

import { Problem } from './problem';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: every refused field is listed in `errors[]`.',
  404: 'Not found.',
  413: 'The body exceeds the size limit.',
  415: 'The body is not `application/json`.',
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
