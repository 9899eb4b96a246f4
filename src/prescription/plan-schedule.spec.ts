import { patellofemoralRequest, prescriptionRequest } from '../../test/factories';
import { RULES_DATA } from '../../test/rules-fixtures';
import { loadRuleCatalogue } from '../rulesets';
import { generatePlan } from './generate-plan';
import { scheduleOf } from './plan-schedule';
import { stagesBefore } from './plan-stages.fixture';
import { SAFETY_ENVELOPE } from './safety-envelope';

const catalogue = loadRuleCatalogue(RULES_DATA);

describe('scheduleOf', () => {
  it.each([
    ['patellofemoral pain', patellofemoralRequest(), null, 6],
    ['ACL reconstruction', prescriptionRequest(), 3, null],
  ] as const)(
    'sets every schedule parameter from the rules for %s, as the plan states it',
    async (_what, request, weeksSinceSurgery, weeksSinceOnset) => {
      const { facts, phase } = await stagesBefore(catalogue, request, weeksSinceSurgery, weeksSinceOnset);
      const { schedule, evaluation } = scheduleOf(catalogue, facts, phase);
      expect(schedule.loadCeilingPercent1RM).toBe(SAFETY_ENVELOPE.maxLoadPercent1RM);
      const firedIds = evaluation.fired.map((f) => f.rule.id);
      expect(schedule.programWeeks.basis.every((b) => firedIds.includes(b.ruleId))).toBe(true);
      const { plan } = await generatePlan(catalogue, request, '2026-11-20');
      expect(schedule).toEqual(plan.schedule);
    },
  );
});
