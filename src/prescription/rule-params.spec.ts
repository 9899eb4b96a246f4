import { RULES_DATA } from '../../test/rules-fixtures';
import { loadRuleCatalogue } from '../rulesets';
import { attachedWarningOf, doseSettingsOf, phaseParamsOf } from './rule-params';

const catalogue = loadRuleCatalogue(RULES_DATA);
const pressure = {
  lopPercent: 60,
  startLopPercent: 40,
  rampStepLopPercent: 10,
  reperfusionSeconds: 180,
  maxContinuousMinutes: 15,
};

describe('rule event parameters', () => {
  it('reads every phase of the selection rules', () => {
    const phases = catalogue.ruleset('selection')!.rules.filter((r) => r.event.type === 'phase');
    expect(phases.length).toBeGreaterThan(0);
    expect(phases.map((r) => phaseParamsOf(r).phase)).toEqual(phases.map((r) => r.event.params!.phase));
  });

  it('reads a warning attached to what a rule sets, and its absence', () => {
    const withWarning = catalogue.ruleset('dosing')!.rules.find((r) => r.event.params?.warning)!;
    expect(attachedWarningOf(withWarning)).toEqual(withWarning.event.params!.warning);
    expect(attachedWarningOf({ event: { params: { set: { lopPercent: 60 } } } })).toBeUndefined();
  });

  it('refuses a dose without the values its modality needs, never filling one in', () => {
    expect(() => doseSettingsOf('aerobic', pressure)).toThrow(/bouts/);
    expect(() =>
      doseSettingsOf('resistance', { ...pressure, bouts: { count: 1, minutes: 5, restSeconds: 0 } }),
    ).toThrow();
  });

  it('keeps only the values of the modality', () => {
    expect(doseSettingsOf('passive', { ...pressure, bouts: { count: 2, minutes: 5, restSeconds: 60 } })).toEqual({
      modality: 'passive',
      ...pressure,
      bouts: { count: 2, minutes: 5, restSeconds: 60 },
    });
  });
});
