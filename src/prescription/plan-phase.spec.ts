import { RULES_DATA } from '../../test/rules-fixtures';
import { patellofemoralRequest, prescriptionLimb } from '../../test/factories';
import { thrownBy } from '../../test/thrown';
import { ErrorCode } from '../common/problem';
import type { Evaluation, FiredRule } from '../rules/catalogue';
import { loadRuleCatalogue } from '../rulesets';
import { phaseOf, refuseArmOnly } from './plan-phase';

const catalogue = loadRuleCatalogue(RULES_DATA);
const selectionRules = catalogue.ruleset('selection')!.rules;
const firedOf = (type: string): FiredRule => {
  const rule = selectionRules.find((r) => r.event.type === type)!;
  return { rule, event: { type, params: rule.event.params ?? {} } };
};
const evaluation = (...fired: FiredRule[]): Evaluation => ({
  ruleset: 'selection',
  rulesetVersion: catalogue.version,
  fired,
  trace: [],
  conditionsOf: () => [],
});

describe('phaseOf', () => {
  it('reads the one phase with its exercises and the rule that chose it', () => {
    const fired = firedOf('phase');
    const phase = phaseOf(evaluation(fired), 'acl-reconstruction');
    expect(phase.id).toBe(fired.event.params.phase);
    expect(phase.exercises).toEqual(fired.event.params.exercises);
    expect(phase.fired).toBe(fired);
  });

  it('refuses when no phase matches, and when several do', () => {
    expect(thrownBy(() => phaseOf(evaluation(), 'acl-reconstruction'))).toMatchObject({
      code: ErrorCode.PlanNotPossible,
    });
    expect(
      thrownBy(() => phaseOf(evaluation(firedOf('phase'), firedOf('phase')), 'acl-reconstruction')).detail,
    ).toMatch(/More than one phase/);
  });

  it('refuses a referral before anything else, naming the rule to clear', () => {
    const refer = firedOf('refer');
    const error = thrownBy(() => phaseOf(evaluation(firedOf('phase'), refer), 'acl-reconstruction'));
    expect(error.code).toBe(ErrorCode.ReferralRequired);
    expect(error.detail).toContain(refer.rule.id);
  });

  it('refuses a hold with its message', () => {
    const hold = firedOf('hold');
    expect(thrownBy(() => phaseOf(evaluation(firedOf('phase'), hold), 'acl-reconstruction')).detail).toContain(
      String(hold.event.params.clinicianMessage),
    );
  });
});

describe('refuseArmOnly', () => {
  it('refuses arm cuff sites alone for a condition whose phases put the cuff on the thigh', () => {
    const request = patellofemoralRequest({ limbs: [{ ...prescriptionLimb('left', 150), limb: 'upper-arm' }] });
    expect(thrownBy(() => refuseArmOnly(catalogue, request)).detail).toMatch(/Only arm cuff sites/);
  });

  it('lets a plan with a thigh cuff site through', () => {
    expect(() => refuseArmOnly(catalogue, patellofemoralRequest())).not.toThrow();
  });
});
