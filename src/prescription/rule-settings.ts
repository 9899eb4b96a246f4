import { DomainError, ErrorCode } from '../common/problem';
import type { FiredRule } from '../rules/catalogue';
import { canonicalJson } from '../common/canonical-json';
import type { RuleRef } from './plan.schema';

const refs = new WeakMap<FiredRule['rule'], RuleRef>();

/** How a plan names a rule that set one of its values: one frozen object per rule, shared by every plan. */
export function ruleRef({ rule }: Pick<FiredRule, 'rule'>): RuleRef {
  let ref = refs.get(rule);
  if (ref === undefined) {
    ref = Object.freeze({ ruleId: rule.id, version: rule.version, title: rule.title, evidence: rule.evidence });
    refs.set(rule, ref);
  }
  return ref;
}

export interface Setting<V> {
  value: V;
  basis: RuleRef[];
}

interface SettingParams {
  set?: Record<string, unknown>;
  cap?: Record<string, number>;
}

/**
 * Reads what the fired rules set for each parameter: the `set` of the highest-priority rule wins
 * (two rules at that priority disagreeing is a defect of the rules, never resolved by guessing),
 * then every `cap` can only lower the value. A parameter no rule sets is reported by name so the
 * plan is refused rather than filled with a default that no rule stands behind.
 */
export function resolveSettings<T extends Record<string, unknown>, K extends keyof T & string>(
  fired: readonly FiredRule[],
  parameters: readonly K[],
  subject: string,
): { [P in K]: Setting<T[P]> } {
  const resolved = {} as { [P in K]: Setting<T[P]> };
  const unset: string[] = [];
  for (const parameter of parameters) {
    // The rules that set the parameter at the highest priority, in file order. One pass, no
    // intermediate lists: this runs for every parameter of every exercise of every plan.
    let top = -Infinity;
    let winners: FiredRule[] = [];
    for (const setter of fired) {
      const set = (setter.event.params as SettingParams).set;
      if (set === undefined || !Object.hasOwn(set, parameter)) {
        continue;
      }
      const priority = setter.rule.priority ?? 1;
      if (priority > top) {
        top = priority;
        winners = [setter];
      } else if (priority === top) {
        winners.push(setter);
      }
    }
    if (winners.length === 0) {
      unset.push(parameter);
      continue;
    }
    // Compared only when several rules tie: one winner cannot disagree with itself.
    if (
      winners.length > 1 &&
      new Set(winners.map(({ event }) => canonicalJson((event.params as SettingParams).set![parameter]))).size > 1
    ) {
      throw new DomainError(
        ErrorCode.PlanNotPossible,
        `The rules ${winners.map(({ rule }) => rule.id).join(' and ')} set different values of ${parameter} for ${subject} at the same priority; the rules need correcting.`,
      );
    }
    let value = (winners[0].event.params as SettingParams).set![parameter] as T[K];
    const basis = [ruleRef(winners[0])];
    for (const capping of fired) {
      const cap = (capping.event.params as SettingParams).cap?.[parameter];
      if (typeof cap === 'number' && typeof value === 'number' && cap < value) {
        value = cap as T[K];
        basis.push(ruleRef(capping));
      }
    }
    resolved[parameter] = { value, basis } as Setting<T[typeof parameter]>;
  }
  if (unset.length > 0) {
    throw new DomainError(
      ErrorCode.PlanNotPossible,
      `No rule sets ${unset.join(', ')} for ${subject}; the rules need correcting.`,
    );
  }
  return resolved;
}
