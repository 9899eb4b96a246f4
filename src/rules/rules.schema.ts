import { z } from 'zod';

import { Evidence, RuleCondition, RuleEvent, RuleId } from './rule-file.schema';
import type { RulesetSpec } from './ruleset-spec';

const rulesetVersion = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('sha256 of the canonical content of rules-data/; stored with every screening and plan.');

export const RuleSummary = z
  .object({
    id: RuleId,
    version: z.number().int().describe('Revision of the rule.'),
    ruleset: z.string().describe('The ruleset the rule belongs to (e.g. `screening`).'),
    title: z.string().describe('One-line summary for clinicians.'),
    rationale: z.string().describe('Why the rule exists.'),
    evidence: z.array(Evidence).describe('The sources behind the rule, each with how far it was checked.'),
    outcome: RuleEvent.describe('What the rule produces when it fires.'),
  })
  .meta({ id: 'RuleSummary', description: 'A rule with its evidence, as listed in the catalogue.' });
export type RuleSummary = z.infer<typeof RuleSummary>;

export const RulesetSummary = z
  .object({
    name: z.string().describe('Ruleset name, e.g. `screening`.'),
    title: z.string().describe('What the ruleset decides.'),
    description: z.string().describe('Longer description of the ruleset.'),
    ruleCount: z.number().int().describe('Number of rules in the ruleset.'),
  })
  .meta({ id: 'RulesetSummary', description: 'One ruleset of the catalogue.' });

export const RuleCatalogueResponse = z
  .object({
    rulesetVersion,
    rulesets: z.array(RulesetSummary).describe('The rulesets the service runs.'),
    rules: z.array(RuleSummary).describe('The rules, ruleset by ruleset, in evaluation order.'),
  })
  .meta({ id: 'RuleCatalogue', description: 'The rule catalogue the service runs, with evidence and version.' });
export type RuleCatalogueResponse = z.infer<typeof RuleCatalogueResponse>;

export const RuleDetailResponse = RuleSummary.extend({
  rulesetVersion,
  priority: z.number().int().describe('Evaluation priority; higher runs first.'),
  conditions: RuleCondition.describe('The conditions under which the rule fires.'),
}).meta({ id: 'RuleDetail', description: 'One rule in full: conditions, outcome, rationale and evidence.' });
export type RuleDetailResponse = z.infer<typeof RuleDetailResponse>;

export const RuleCatalogueQuery = z.strictObject({
  ruleset: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .optional()
    .describe('Only the rules of this ruleset (e.g. `screening`).'),
});

export const RulePathParams = z.strictObject({ id: RuleId });

function factsSchema(spec: RulesetSpec) {
  return z.strictObject(
    Object.fromEntries(
      Object.entries(spec.facts).map(([name, fact]) => [name, fact.schema.describe(fact.description)]),
    ),
  );
}

/** The body of POST /v1/rules/evaluations for these rulesets: the facts each one reads. */
export function evaluationRequestFor(specs: readonly RulesetSpec[]) {
  const requests = specs.map((spec) =>
    z
      .strictObject({
        ruleset: z.literal(spec.name).describe('The ruleset to evaluate.'),
        facts: factsSchema(spec).describe(`Every fact the ${spec.name} rules read; none may be left out.`),
      })
      .meta({ id: `${spec.name[0].toUpperCase()}${spec.name.slice(1)}EvaluationRequest` }),
  );
  type RulesetEvaluationRequest = (typeof requests)[number];
  return z
    .discriminatedUnion('ruleset', requests as [RulesetEvaluationRequest, ...RulesetEvaluationRequest[]])
    .meta({ id: 'EvaluationRequest', description: 'Facts to evaluate against one ruleset, as its rules read them.' });
}

export interface EvaluationRequest {
  ruleset: string;
  facts: Record<string, unknown>;
}

const ConditionTrace = z
  .object({
    name: z.string().describe("The condition's name in the rule."),
    fact: z.string().describe('The fact compared.'),
    path: z.string().optional().describe('Dotted path into the fact value, if any.'),
    operator: z.string().describe('The comparison.'),
    factValue: z.unknown().describe('The fact value the engine read.'),
    comparedValue: z.unknown().describe('The value it was compared with.'),
    result: z.boolean().nullable().describe('The outcome; null when the engine did not need to evaluate it.'),
  })
  .meta({ id: 'ConditionTrace', description: 'One named condition as it was evaluated.' });

export const EvaluationResponse = z
  .object({
    ruleset: z.string().describe('The ruleset evaluated.'),
    rulesetVersion,
    fired: z
      .array(
        z.object({
          ruleId: RuleId,
          version: z.number().int().describe('Revision of the rule.'),
          title: z.string().describe('One-line summary of the rule.'),
          outcome: RuleEvent.describe('What the rule produced.'),
          evidence: z.array(Evidence).describe('The sources behind the rule.'),
        }),
      )
      .describe('The rules whose conditions held, in ruleset order.'),
    trace: z
      .array(
        z.object({
          ruleId: RuleId,
          version: z.number().int().describe('Revision of the rule.'),
          fired: z.boolean().describe('Whether the rule fired.'),
          conditions: z.array(ConditionTrace).describe('Every named condition with the values compared.'),
        }),
      )
      .describe('Every rule of the ruleset, fired or not, and why.'),
  })
  .meta({ id: 'Evaluation', description: 'The rules that fired for the given facts, and the trace of every rule.' });
export type EvaluationResponse = z.infer<typeof EvaluationResponse>;
