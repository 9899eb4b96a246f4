import { Notices } from './plan-notices';
import type { PlanCaution, PlanWarning } from './plan.schema';

const evidence = [{ source: 'Test source 2026', level: 'confirmed' as const }];
const caution = (id: string): PlanCaution => ({
  id,
  source: 'dosing',
  ruleId: id.split(':')[0],
  title: 'A caution',
  message: 'Watch this closely.',
  patientMessage: null,
  site: null,
  evidence,
});
const warning = (ruleId: string, side: string): PlanWarning => ({
  source: 'lop',
  ruleId,
  title: 'A warning',
  message: 'Worth knowing about.',
  patientMessage: null,
  site: { limb: 'thigh', side } as PlanWarning['site'],
  evidence,
  severity: 'warning',
});

describe('Notices', () => {
  it('says a caution once per id, in the order first said', () => {
    const sut = new Notices();
    [caution('a.one:left-thigh'), caution('b.two'), caution('a.one:left-thigh')].forEach((n) => sut.add(n));
    expect(sut.cautions.map((c) => c.id)).toEqual(['a.one:left-thigh', 'b.two']);
  });

  it('says a warning once per rule and site', () => {
    const sut = new Notices();
    [warning('w.one', 'left'), warning('w.one', 'right'), warning('w.one', 'left')].forEach((n) => sut.add(n));
    expect(sut.warnings.map((w) => w.site?.side)).toEqual(['left', 'right']);
  });
});
