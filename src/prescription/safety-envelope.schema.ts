import { z } from 'zod';

export const EnvelopeBreachSchema = z
  .object({
    exerciseId: z.string().nullable().describe('The exercise; null for a whole-session limit.'),
    limb: z.string().describe('Side and cuff site.'),
    parameter: z.string().describe('The parameter over its limit.'),
    value: z.number().describe('Its value in the plan.'),
    limit: z.number().describe('The hard limit.'),
    ruleIds: z.array(z.string()).describe('The rules that produced the value.'),
  })
  .meta({ id: 'EnvelopeBreach', description: 'A dose value beyond a hard safety limit.' });
