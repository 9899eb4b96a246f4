import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';

import { DomainError, ErrorCode } from '../common/problem';
import { PUBLIC_ROUTE, ROLES } from './auth.decorators';
import type { Role } from './principal';
import { TOKEN_VERIFIER } from './tokens';
import type { TokenVerifier } from './token-verifier';

/**
 * Every route needs a verified bearer token unless it is marked public, and a role the route
 * names; a route that names no role is refused, so forgetting to declare one fails closed.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new DomainError(
        ErrorCode.Unauthenticated,
        'This endpoint needs a bearer token (Authorization: Bearer <token>).',
      );
    }
    const principal = await this.verifier.verify(token);
    request.principal = principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets) ?? [];
    if (!principal.roles.some((role) => allowed.includes(role))) {
      throw new DomainError(
        ErrorCode.Forbidden,
        allowed.length > 0
          ? `This action needs one of the roles ${allowed.join(', ')}; the token has ${principal.roles.join(', ') || 'none'}.`
          : 'This action is not open to any role.',
      );
    }
    return true;
  }
}
