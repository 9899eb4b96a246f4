import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { Public } from '../auth/auth.decorators';
import { mintToken } from '../auth/development-issuer';
import { ApiProblems } from '../common/api-problems.decorator';
import { Clock } from '../common/clock';
import { DomainError, ErrorCode } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DevToken, DevTokenRequest, SignInOptions } from './web-app.schema';

const DEV_TOKEN_TTL_SECONDS = 8 * 3600;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** What the web app at /app needs before anyone has signed in. */
@Public()
@ApiTags('web app')
@Controller('app')
export class WebAppController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  @Get('sign-in-options')
  @ApiOperation({
    summary: 'How the web app signs in',
    description: 'The OIDC endpoints for the authorization code flow with PKCE, or the development sign-in.',
  })
  @ApiOkResponse({ standardSchema: SignInOptions })
  @ApiProblems(429)
  signInOptions(): SignInOptions {
    return { development: this.config.webApp.developmentSignIn, oidc: this.config.webApp.oidc };
  }

  @Post('dev-token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A development token for the web app',
    description:
      'Mints a bearer token from the development issuer, as `npm run token` does. Only while the development issuer is in use, NODE_ENV is not production and the caller is on this machine (loopback); otherwise 404.',
  })
  @ApiOkResponse({ standardSchema: DevToken })
  @ApiProblems(400, 404, 413, 415, 429)
  async devToken(
    @Body({ schema: DevTokenRequest }) body: DevTokenRequest,
    @Req() request: FastifyRequest,
  ): Promise<DevToken> {
    const auth = this.config.auth;
    if (!this.config.webApp.developmentSignIn || auth.mode !== 'development') {
      throw new DomainError(ErrorCode.RouteNotFound, 'Development sign-in is off: sign in at the OIDC issuer.');
    }
    // Anyone who reaches this route gets a token, so only callers on this machine may.
    if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) {
      throw new DomainError(ErrorCode.RouteNotFound, 'Development sign-in answers only on this machine.');
    }
    const roles: DevToken['roles'] = [body.role];
    const accessToken = await mintToken(auth, {
      subject: body.subject,
      tenant: body.tenant,
      roles,
      ttlSeconds: DEV_TOKEN_TTL_SECONDS,
      now: this.clock.now(),
    });
    return { accessToken, expiresIn: DEV_TOKEN_TTL_SECONDS, subject: body.subject, tenant: body.tenant, roles };
  }
}
