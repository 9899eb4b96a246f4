import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'bfr-rx:public';

/** The route answers without a token (health, problem types); the auth guard reads the mark. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
