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
        cuffs: z
          .object({
            status: CheckStatus,
            transport: z
              .enum(['simulator', 'mqtt'])
              .describe('How the service reaches cuffs: in-process simulated cuffs, or MQTT through a broker.'),
            broker: z
              .string()
              .optional()
              .describe('The MQTT broker, without credentials, marked `(embedded)` when the service runs its own.'),
            devicesKnown: z.number().int().describe('Cuffs the service knows of.'),
            devicesOnline: z.number().int().describe('Cuffs reachable now.'),
            detail: z.string().optional().describe('Why the check failed.'),
          })
          .describe(
            'The cuff transport is running (connected to its broker for MQTT). Offline cuffs do not make it down.',
          ),
      })
      .describe('One entry per dependency.'),
  })
  .meta({ id: 'HealthReport', description: 'Liveness and readiness of the service and its dependencies.' });
export type HealthReport = z.infer<typeof HealthReport>;
