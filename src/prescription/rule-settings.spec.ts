import { DomainError, ErrorCode } from '../common/problem';
import type { FiredRule } from '../rules/catalogue';
import { resolveSettings } from './rule-settings';

const fired = (id: string, params: Record<string, unknown>, priority?: number): FiredRule => ({
  rule: {
    id,
    version: 1,
    title: `Rule ${id}`,
    rationale: 'Because the test says so.',
    evidence: [{ source: 'Test source 2026', level: 'confirmed' }],
    ...(priority ? { priority } : {}),
    conditions: { all: [] },
    event: { type: 'dose', params },
  },
  event: { type: 'dose', params },
});

type Values = { lopPercent: number; loadPercent1RM: number | null; setScheme: number[] };

describe('resolveSettings', () => {
  it('takes the set of the highest-priority rule and names it as the basis', () => {
    const sut = resolveSettings<Values, 'lopPercent'>(
      [fired('dose.default', { set: { lopPercent: 60 } }), fired('dose.aclr', { set: { lopPercent: 80 } }, 10)],
      ['lopPercent'],
      'leg press',
    );
    expect(sut.lopPercent).toEqual({
      value: 80,
      basis: [
        expect.objectContaining({ ruleId: 'dose.aclr', evidence: [expect.objectContaining({ level: 'confirmed' })] }),
      ],
    });
  });

  it('lets a cap only lower a value, and lists the capping rule after the setting one', () => {
    const rules = [
      fired('dose.default', { set: { lopPercent: 80 } }),
      fired('dose.caution', { cap: { lopPercent: 60 } }),
      fired('dose.loose-cap', { cap: { lopPercent: 90 } }),
    ];
    const sut = resolveSettings<Values, 'lopPercent'>(rules, ['lopPercent'], 'leg press');
    expect(sut.lopPercent.value).toBe(60);
    expect(sut.lopPercent.basis.map((b) => b.ruleId)).toEqual(['dose.default', 'dose.caution']);
  });

  it('keeps a null set (no external load) and compares lists by content', () => {
    const rules = [
      fired('a.one', { set: { loadPercent1RM: null, setScheme: [30, 15, 15, 15] } }),
      fired('a.two', { set: { setScheme: [30, 15, 15, 15] } }),
    ];
    const sut = resolveSettings<Values, 'loadPercent1RM' | 'setScheme'>(
      rules,
      ['loadPercent1RM', 'setScheme'],
      'bridge',
    );
    expect(sut.loadPercent1RM.value).toBeNull();
    expect(sut.setScheme.value).toEqual([30, 15, 15, 15]);
  });

  it('refuses two rules that disagree at the same priority rather than picking one', () => {
    const act = () =>
      resolveSettings<Values, 'lopPercent'>(
        [fired('a.one', { set: { lopPercent: 60 } }), fired('a.two', { set: { lopPercent: 70 } })],
        ['lopPercent'],
        'leg press',
      );
    expect(act).toThrow(DomainError);
    expect(act).toThrow(/a\.one and a\.two set different values of lopPercent for leg press/);
  });

  it('refuses a parameter no rule sets, naming it', () => {
    try {
      resolveSettings<Values, 'lopPercent' | 'setScheme'>(
        [fired('a.one', { set: { lopPercent: 60 } })],
        ['lopPercent', 'setScheme'],
        'leg press',
      );
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toMatchObject({
        code: ErrorCode.PlanNotPossible,
        detail: expect.stringContaining('No rule sets setScheme for leg press'),
      });
    }
  });
});
