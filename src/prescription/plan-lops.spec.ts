import { patellofemoralRequest, prescriptionLimb, SCREENED_ON } from '../../test/factories';
import { RULES_DATA } from '../../test/rules-fixtures';
import { thrownBy } from '../../test/thrown';
import { ErrorCode } from '../common/problem';
import { loadRuleCatalogue } from '../rulesets';
import { candidatesOf } from './plan-candidates';
import { lopKey, resolveLops, withUsableLop } from './plan-lops';
import { stagesBefore } from './plan-stages.fixture';

const catalogue = loadRuleCatalogue(RULES_DATA);

describe('resolveLops', () => {
  it('resolves each cuff site and position once, shared by the exercises done in it', async () => {
    const request = patellofemoralRequest();
    const { screening, phase } = await stagesBefore(catalogue, request, null, 6);
    const { kept } = candidatesOf(phase, request, screening, catalogue);
    const lops = await resolveLops(catalogue, request, screening, kept, SCREENED_ON);
    expect([...lops.keys()]).toEqual([...new Set(kept.map(lopKey))]);
    expect([...lops.values()].every((r) => r.site.side === 'left' && r.site.limb === 'thigh')).toBe(true);
  });
});

describe('withUsableLop', () => {
  it('keeps every candidate with a usable LOP', async () => {
    const request = patellofemoralRequest();
    const { screening, phase } = await stagesBefore(catalogue, request, null, 6);
    const { kept } = candidatesOf(phase, request, screening, catalogue);
    const lops = await resolveLops(catalogue, request, screening, kept, SCREENED_ON);
    const { usable, lopOmitted } = withUsableLop(kept, lops, request, phase);
    expect(usable.length + lopOmitted.length).toBe(kept.length);
    expect(usable.every((c) => lops.get(lopKey(c))!.lop !== null)).toBe(true);
  });

  it('refuses when the injured side has no LOP to use, naming what to measure', async () => {
    const request = patellofemoralRequest({ limbs: [prescriptionLimb('left', null, { cuffWidthCm: 5 })] });
    const { screening, phase } = await stagesBefore(catalogue, request, null, 6);
    const { kept } = candidatesOf(phase, request, screening, catalogue);
    const lops = await resolveLops(catalogue, request, screening, kept, SCREENED_ON);
    const error = thrownBy(() => withUsableLop(kept, lops, request, phase));
    expect(error.code).toBe(ErrorCode.LopRequired);
    expect(error.extensions?.lopFindings).toEqual(
      expect.arrayContaining([expect.objectContaining({ site: 'left thigh' })]),
    );
  });
});
