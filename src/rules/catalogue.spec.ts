import { screeningFacts } from '../../test/factories';
import { editedRulesData, RULES_DATA, ruleById } from '../../test/rules-fixtures';
import { loadRuleCatalogue } from '../rulesets';
import { dottedPath, FactsInvalidError } from './catalogue';

const healthyAdult = screeningFacts();

describe('RuleCatalogue.evaluate', () => {
  const sut = loadRuleCatalogue(RULES_DATA);

  it('returns the fired rules with their outcome and the ruleset version', () => {
    const evaluation = sut.evaluate('screening', { ...healthyAdult, vteHistory: 'yes' });
    expect(evaluation.rulesetVersion).toBe(sut.version);
    expect(evaluation.fired.map((f) => f.rule.id)).toEqual(['ci.vte-history']);
    expect(evaluation.fired[0].event).toEqual({
      type: 'finding',
      params: expect.objectContaining({ verdict: 'contraindicated' }),
    });
  });

  it('traces every rule and every named condition with the values compared', () => {
    const evaluation = sut.evaluate('screening', { ...healthyAdult, systolicBp: 181, diastolicBp: 90 });
    expect(evaluation.trace).toHaveLength(sut.ruleset('screening')!.rules.length);
    expect(evaluation.trace.find((t) => t.ruleId === 'ci.bp-severe')).toEqual({
      ruleId: 'ci.bp-severe',
      version: 1,
      fired: true,
      conditions: [
        {
          name: 'systolic-at-or-above-180',
          fact: 'systolicBp',
          operator: 'greaterThanInclusive',
          factValue: 181,
          comparedValue: 180,
          result: true,
        },
        {
          name: 'diastolic-at-or-above-110',
          fact: 'diastolicBp',
          operator: 'greaterThanInclusive',
          factValue: 90,
          comparedValue: 110,
          result: false,
        },
      ],
    });
    expect(evaluation.trace.find((t) => t.ruleId === 'ci.bp-diastolic-100')?.conditions[0]).toMatchObject({
      operator: 'inBand',
      factValue: 90,
      comparedValue: { atLeast: 100, below: 110 },
      result: false,
    });
    expect(evaluation.trace.find((t) => t.ruleId === 'ci.pregnancy')).toMatchObject({
      fired: false,
      conditions: [{ name: 'pregnant-yes', factValue: 'no', comparedValue: 'yes', result: false }],
    });
  });

  it('refuses facts that are missing rather than reading them as "no"', () => {
    const { pregnant: _omitted, ...facts } = healthyAdult;
    expect(() => sut.evaluate('screening', facts)).toThrow(FactsInvalidError);
    expect(() => sut.evaluate('screening', facts)).toThrow(/pregnant/);
  });

  it('refuses facts the ruleset does not declare', () => {
    expect(() => sut.evaluate('screening', { ...healthyAdult, smoker: 'yes' })).toThrow(FactsInvalidError);
  });

  it('gives the same answer to the same facts', async () => {
    const facts = { ...healthyAdult, pregnant: 'unknown', systolicBp: null, diastolicBp: null };
    const outcome = ({ fired, trace }: { fired: unknown; trace: unknown }) => ({ fired, trace });
    const first = outcome(sut.evaluate('screening', facts));
    expect(outcome(sut.evaluate('screening', facts))).toEqual(first);
    expect(outcome(await sut.evaluateWithEngine('screening', facts))).toEqual(first);
  });
});

describe('dottedPath', () => {
  it('reads nested values', () => {
    expect(dottedPath({ bp: { systolic: 120 } }, 'bp.systolic')).toBe(120);
  });

  it('fails on a path that does not exist instead of comparing undefined', () => {
    expect(() => dottedPath({ bp: null } as object, 'bp.systolic')).toThrow(/does not exist/);
    expect(() => dottedPath({}, 'toString')).toThrow(/does not exist/);
  });
});

describe('ruleset version', () => {
  const version = (dir: string) => loadRuleCatalogue(dir).version;
  const shipped = version(RULES_DATA);

  it('does not change with layout or key order', () => {
    const reformatted = editedRulesData('screening.rules.json', (c) =>
      JSON.stringify(Object.fromEntries(Object.entries(c).reverse())),
    );
    expect(version(reformatted)).toBe(shipped);
  });

  it('changes when a rule changes', () => {
    const edited = editedRulesData('screening.rules.json', (c) => {
      ruleById(c, 'ci.age-under-14').conditions.all[0].value = 15;
    });
    expect(version(edited)).not.toBe(shipped);
  });

  it('does not change when only golden cases are added', () => {
    const edited = editedRulesData('screening.cases.json', (c) => {
      c.cases.push({ ...c.cases[0], name: 'A copy of the first case' });
    });
    expect(version(edited)).toBe(shipped);
  });
});
