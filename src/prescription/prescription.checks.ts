import type { RuleCatalogue } from '../rules/catalogue';
import type { CatalogueCheck, CrossCheckProblem } from '../rules/data-spec';
import type { RuleCondition } from '../rules/rule-file.schema';
import { exerciseCatalogue } from './exercise-catalogue';
import { CONDITIONS } from './indication';

function comparisons(node: RuleCondition, path: string): Array<{ node: RuleCondition; path: string }> {
  const children = node.all ?? node.any;
  if (children) {
    const key = node.all ? 'all' : 'any';
    return children.flatMap((child, i) => comparisons(child, `${path}.${key}.${i}`));
  }
  return node.not ? comparisons(node.not, `${path}.not`) : [{ node, path }];
}

const listed = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/**
 * The prescription rules refer to exercises and phases by id; a misspelt id would make a rule that
 * never fires or a plan without its exercise, so every reference must resolve.
 */
export const prescriptionReferences: CatalogueCheck = (catalogue: RuleCatalogue) => {
  const problems: CrossCheckProblem[] = [];
  const exercises = new Set(catalogue.table(exerciseCatalogue).exercises.map((e) => e.id));
  const selection = catalogue.ruleset('selection');
  const phases = new Set<string>();
  for (const rule of selection?.rules ?? []) {
    if (rule.event.type !== 'phase') {
      continue;
    }
    const params = rule.event.params as { phase: string; exercises: Array<{ exercise: string }> };
    phases.add(params.phase);
    const condition = params.phase.split('.')[0];
    if (!(condition in CONDITIONS)) {
      problems.push({
        file: selection!.file,
        rule: rule.id,
        field: 'event.params.phase',
        message: `"${params.phase}" does not start with a known condition`,
      });
    }
    params.exercises.forEach(({ exercise }, i) => {
      if (!exercises.has(exercise)) {
        problems.push({
          file: selection!.file,
          rule: rule.id,
          field: `event.params.exercises.${i}.exercise`,
          message: `"${exercise}" is not in exercises.data.json`,
        });
      }
    });
  }
  for (const name of ['selection', 'dosing', 'schedule']) {
    const ruleset = catalogue.ruleset(name);
    for (const rule of ruleset?.rules ?? []) {
      for (const { node, path } of comparisons(rule.conditions, 'conditions')) {
        const known = node.fact === 'exercise' ? exercises : node.fact === 'phase' ? phases : undefined;
        const unknown = known ? listed(node.value).filter((v) => typeof v !== 'string' || !known.has(v)) : [];
        for (const value of unknown) {
          problems.push({
            file: ruleset!.file,
            rule: rule.id,
            field: `${path}.value`,
            message: `${JSON.stringify(value)} is not a known ${node.fact}`,
          });
        }
      }
    }
  }
  return problems;
};
