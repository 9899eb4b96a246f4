import { RULES_DATA } from '../../test/rules-fixtures';
import { loadRuleCatalogue } from '../rulesets';
import { LopPositionsFile, lopPositions, positionEffect } from './lop-positions';

const table = loadRuleCatalogue(RULES_DATA).table(lopPositions);

describe('positionEffect', () => {
  it('leaves an LOP taken in the exercise position as it is', () => {
    expect(positionEffect(table, 'thigh', 'seated', 'seated')).toEqual({ kind: 'same' });
  });

  it('does not raise an LOP taken in a lower-LOP position: the set pressure is then a smaller share of the real LOP', () => {
    expect(positionEffect(table, 'thigh', 'supine', 'standing')).toEqual({ kind: 'lower' });
    expect(positionEffect(table, 'upper-arm', 'standing', 'seated')).toEqual({ kind: 'lower' });
  });

  it('carries a seated thigh LOP to lying by the smaller of the reported drops (Sieljacks 2018: 148 / 177)', () => {
    const effect = positionEffect(table, 'thigh', 'seated', 'supine');
    expect(effect).toMatchObject({ kind: 'higher', factor: 0.83, basis: { ruleId: 'lop-position.thigh' } });
    expect((effect as { factor: number }).factor).toBeLessThanOrEqual(148 / 177);
  });

  it('takes the worst case over every position when the position is not stated', () => {
    expect(positionEffect(table, 'thigh', null, 'supine')).toMatchObject({ kind: 'higher', factor: 0.77 });
    expect(positionEffect(table, 'thigh', null, 'seated')).toMatchObject({ kind: 'higher', factor: 0.84 });
    expect(positionEffect(table, 'thigh', null, 'standing')).toEqual({ kind: 'lower' });
  });

  it('cannot carry an arm LOP to a lower-LOP position, whose drop is not known', () => {
    expect(positionEffect(table, 'upper-arm', 'seated', 'supine')).toMatchObject({
      kind: 'unknown',
      basis: { ruleId: 'lop-position.upper-arm' },
    });
    expect(positionEffect(table, 'upper-arm', null, 'standing')).toMatchObject({ kind: 'unknown' });
  });

  it('rejects a table whose factor goes up the order, or that leaves a cuff site out', () => {
    const wrongWay = structuredClone(table);
    wrongWay.limbs[0].factors.push({
      from: 'supine',
      to: 'seated',
      factor: 0.9,
      note: 'supine is the lower-LOP position',
    });
    expect(LopPositionsFile.safeParse(wrongWay).success).toBe(false);
    expect(LopPositionsFile.safeParse({ ...table, limbs: table.limbs.filter((l) => l.limb === 'thigh') }).success).toBe(
      false,
    );
  });
});
