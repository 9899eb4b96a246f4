import { z } from 'zod';

/**
 * How far a source was checked: `confirmed` against the primary paper or vendor page, `secondary`
 * seen only in a secondary source, `unconfirmed` not checked. An unconfirmed number is never a
 * hard limit unless the rule's evidence says so.
 */
export const EvidenceLevel = z.enum(['confirmed', 'secondary', 'unconfirmed']).meta({
  id: 'EvidenceLevel',
  description:
    'How far the source was checked: confirmed (primary source), secondary (secondary source only), unconfirmed (not checked).',
});

export const Evidence = z
  .strictObject({
    source: z
      .string()
      .trim()
      .min(3)
      .describe('Citation: authors, year, journal or publisher, and the table or section used.'),
    level: EvidenceLevel,
    note: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('What the source says that this rule relies on, or a caveat about it.'),
  })
  .meta({ id: 'Evidence', description: 'One source behind a rule.' });
export type Evidence = z.infer<typeof Evidence>;

const conditionName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case words joined by hyphens, e.g. "systolic-at-or-above-180"')
  .describe('Name of the condition, unique within the rule; the evaluation trace reports it.');

/** A json-rules-engine condition: a group (`all`, `any`, `not`) or a comparison of one fact. */
export interface RuleCondition {
  name?: string;
  all?: RuleCondition[];
  any?: RuleCondition[];
  not?: RuleCondition;
  fact?: string;
  path?: string;
  operator?: string;
  value?: unknown;
}

const GROUP_KEYS = ['all', 'any', 'not'] as const;

export const RuleCondition: z.ZodType<RuleCondition> = z.lazy(() =>
  z
    .strictObject({
      name: conditionName.optional(),
      all: z.array(RuleCondition).min(1).optional().describe('Every sub-condition must hold.'),
      any: z.array(RuleCondition).min(1).optional().describe('At least one sub-condition must hold.'),
      not: RuleCondition.optional().describe('The sub-condition must not hold.'),
      fact: z.string().min(1).optional().describe('The fact compared (a leaf condition).'),
      path: z
        .string()
        .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'must be a dotted path such as "systolic"')
        .optional()
        .describe('Dotted path into the fact value.'),
      operator: z
        .string()
        .min(1)
        .optional()
        .describe('The comparison: a json-rules-engine operator or a registered custom operator.'),
      value: z
        .unknown()
        .optional()
        .describe('The value the fact is compared with, or `{ "fact": name }` to compare with another fact.'),
    })
    .superRefine((node, ctx) => {
      const groups = GROUP_KEYS.filter((key) => node[key] !== undefined);
      const leafKeys = (['fact', 'operator', 'path', 'value'] as const).filter((key) => key in node);
      if (groups.length > 1 || (groups.length === 1 && leafKeys.length > 0)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be either one group (all, any or not) or one comparison (fact, operator, value)',
        });
        return;
      }
      if (groups.length === 1) {
        return;
      }
      for (const key of ['name', 'fact', 'operator', 'value'] as const) {
        if (node[key] === undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: `is required in a comparison` });
        }
      }
    })
    .meta({
      id: 'RuleCondition',
      description:
        'A json-rules-engine condition: a group of conditions (`all`, `any`, `not`) or a named comparison of one fact.',
    }),
);

export const RuleId = z
  .string()
  .regex(/^[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*)+$/, 'must be a dotted, lower-case id such as "ci.vte-history"')
  .describe('Stable rule id, e.g. `ci.vte-history`; never reused for a different meaning.');

export const RuleEvent = z
  .strictObject({
    type: z.string().min(1).describe('What the rule produces when it fires; the ruleset defines the types.'),
    params: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('The outcome: verdict, messages or numbers, as the ruleset defines them.'),
  })
  .meta({ id: 'RuleEvent', description: 'What a rule produces when its conditions hold.' });

export const RuleDefinition = z
  .strictObject({
    id: RuleId,
    version: z.number().int().min(1).describe('Revision of the rule; raised whenever its meaning changes.'),
    title: z.string().trim().min(3).describe('One-line summary for clinicians.'),
    rationale: z.string().trim().min(10).describe('Why the rule exists and what it protects against.'),
    evidence: z.array(Evidence).min(1, 'must name at least one source').describe('The sources behind the rule.'),
    priority: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Rules with a higher priority are evaluated first (default 1).'),
    conditions: RuleCondition,
    event: RuleEvent,
  })
  .meta({
    id: 'RuleDefinition',
    description: 'A clinical rule: a json-rules-engine rule with its id, rationale and evidence.',
  });
export type RuleDefinition = z.infer<typeof RuleDefinition>;

export const RuleFile = z.strictObject({
  $schema: z.string().optional(),
  ruleset: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .describe('The ruleset the file belongs to; must match the file name.'),
  title: z.string().trim().min(3),
  description: z.string().trim().min(10),
  rules: z.array(RuleDefinition).min(1),
});
export type RuleFile = z.infer<typeof RuleFile>;
