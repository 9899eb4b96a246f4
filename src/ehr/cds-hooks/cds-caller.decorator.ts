import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import type { CdsCaller } from './cds-jwt';

/** The EHR behind the current CDS Hooks call, as its verified JWT says. */
export const CurrentCdsCaller = createParamDecorator((_data: unknown, context: ExecutionContext): CdsCaller => {
  const caller = context.switchToHttp().getRequest<FastifyRequest>().cdsCaller;
  if (!caller) {
    throw new Error('CurrentCdsCaller used on a route without the CDS Hooks guard');
  }
  return caller;
});
