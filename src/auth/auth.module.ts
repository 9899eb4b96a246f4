import { Global, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { APP_CONFIG, type AppConfig } from '../config/config';
import { AuthGuard } from './auth.guard';
import { createTokenVerifier } from './token-verifier';
import { TOKEN_VERIFIER } from './tokens';

@Global()
@Module({
  providers: [
    {
      provide: TOKEN_VERIFIER,
      useFactory: async (config: AppConfig) => {
        if (config.auth.mode === 'development' && config.auth.inProduction) {
          new Logger('AuthModule').error(
            'PRODUCTION WITH THE DEVELOPMENT ISSUER (AUTH_DEV_ISSUER_IN_PRODUCTION): anyone who can read the key file can sign in as anyone, in any organization and role. Set AUTH_JWKS_URL and AUTH_ISSUER and remove AUTH_DEV_ISSUER_IN_PRODUCTION.',
          );
        } else if (config.auth.mode === 'development') {
          new Logger('AuthModule').warn(
            'Bearer tokens are checked against the local development issuer (mint one with `npm run token`); set AUTH_JWKS_URL and AUTH_ISSUER for production.',
          );
        }
        return createTokenVerifier(config.auth);
      },
      inject: [APP_CONFIG],
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TOKEN_VERIFIER],
})
export class AuthModule {}
