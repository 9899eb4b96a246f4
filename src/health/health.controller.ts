import { Controller, Get, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Public } from '../auth/auth.decorators';
import { HealthReport } from './health.schema';
import { HealthService } from './health.service';

@Public()
// Monitors poll health often and from few addresses; it is cheap and never rate limited.
@SkipThrottle()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({
    summary: 'Liveness and readiness',
    description:
      'Checks the database, the loaded ruleset and the cuff transport. 200 when every check is up, 503 with the same report otherwise.',
  })
  @ApiOkResponse({ standardSchema: HealthReport, description: 'Every check is up.' })
  @ApiServiceUnavailableResponse({ standardSchema: HealthReport, description: 'At least one check is down.' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const report = await this.health.check();
    if (report.status !== 'ok') {
      reply.status(503);
    }
    return report;
  }
}
