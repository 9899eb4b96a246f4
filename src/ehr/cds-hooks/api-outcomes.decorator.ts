import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

import { OperationOutcome } from './operation-outcome';

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed: each refused field is an issue whose `expression` names it.',
  401: 'No JWT, or one that is not valid for this EHR and URL (issuer, algorithm, signature, aud, exp, iat, jti).',
  404: 'No CDS service has this id.',
  412: 'Data the service needs was neither prefetched nor readable from the EHR FHIR server.',
  413: 'The body exceeds the size limit.',
  415: 'The body is not `application/json`.',
  429: 'Rate limit reached; see `Retry-After`.',
  500: 'Unexpected error; no cards were made.',
};

/** Documents the OperationOutcome answers of a CDS Hooks route. */
export function ApiOutcomes(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'OperationOutcome.',
        standardSchema: OperationOutcome,
      }),
    ),
  );
}
