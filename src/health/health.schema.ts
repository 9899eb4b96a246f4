import { z } from 'zod';

const CheckStatus = z.enum(['up', 'down']).describe('Whether the dependency answered.');

export const HealthReport = z
  .object({
    status: z.enum(['ok', 'unavailable']).describe('`ok` when every check is up.'),
    checks: z
      .object({
        database: z
          .object({
            status: CheckStatus,
            kind: z.enum(['sqlite', 'postgres']).describe('Which database the service uses.'),
            latencyMs: z.number().describe('Time the check query took, in milliseconds.'),
            detail: z.string().optional().describe('Why the check failed.'),
          })
          .describe('The database answered a query.'),
        rules: z
          .object({
            status: CheckStatus,
            rulesetVersion: z.string().describe('sha256 of the loaded rules-data/.'),
            ruleCount: z.number().int().describe('Number of rules loaded.'),
          })
          .describe('The clinical rules are loaded and valid.'),
      })
      .describe('One entry per dependency.'),
  })
  .meta({ id: 'HealthReport', description: 'Liveness and readiness of the service and its dependencies.' });
export type HealthReport = z.infer<typeof HealthReport>;
