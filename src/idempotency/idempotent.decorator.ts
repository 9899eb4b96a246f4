import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

import { ApiProblems } from '../common/api-problems.decorator';

export const IDEMPOTENT = 'bfr-rx:idempotent';

/**
 * The route creates something: a retry that carries the same `Idempotency-Key` gets the first
 * answer instead of creating a second record.
 */
export const Idempotent = () =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'A unique value per logical request (e.g. a UUID). Retrying with the same key and body returns the stored answer; the same key with another body answers 422; while the first is in flight, 409.',
      schema: { type: 'string', maxLength: 200 },
    }),
    ApiProblems(409, 422),
  );
