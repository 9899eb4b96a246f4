import type { Observation } from '@medplum/fhirtypes';

import { SCREENED_ON } from '../../../test/factories';
import { CODE, concept, surgery } from '../../../test/fhir-fixtures';
import { RULES_DATA } from '../../../test/rules-fixtures';
import { loadRuleCatalogue } from '../../rulesets';
import { clinicalRecordFrom } from './clinical-record';
import { prescriptionInputsFromFhir } from './prescription-inputs-from-fhir';

const catalogue = loadRuleCatalogue(RULES_DATA);
const BFR = 'https://bfr-rx.example.org/fhir/CodeSystem/bfr';
const thighLeft = [
  concept({ system: 'http://snomed.info/sct', code: '68367000', display: 'Thigh structure' }, CODE.left),
];

function lop(id: string, mmHg: number, on = SCREENED_ON, overrides: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: concept({ system: BFR, code: 'lop', display: 'Limb occlusion pressure' }),
    effectiveDateTime: on,
    valueQuantity: { value: mmHg, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    method: concept({ system: BFR, code: 'doppler' }),
    bodySite: thighLeft[0],
    device: { display: 'Delfi PTSII, 11.5 cm cuff' },
    component: [
      {
        code: concept({ system: BFR, code: 'body-position' }),
        valueCodeableConcept: concept({ system: BFR, code: 'supine' }),
      },
      {
        code: concept({ system: BFR, code: 'cuff-width' }),
        valueQuantity: { value: 11.5, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' },
      },
    ],
    ...overrides,
  };
}

const circumference = (id: string, cm: number, bodySite = thighLeft[0]): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: concept({ system: 'http://snomed.info/sct', code: '413171006', display: 'Lower limb circumference' }),
  effectiveDateTime: SCREENED_ON,
  bodySite,
  valueQuantity: { value: cm, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' },
});

const sut = (resources: Parameters<typeof clinicalRecordFrom>[0]) =>
  prescriptionInputsFromFhir(clinicalRecordFrom(resources), catalogue, SCREENED_ON);

describe('prescriptionInputsFromFhir', () => {
  it('gives each cuff site its circumference and its LOP with method, position, cuff and device', () => {
    const { limbs, sources } = sut([circumference('c', 54), lop('l', 190)]);
    expect(limbs).toEqual([
      {
        limb: 'thigh',
        side: 'left',
        circumferenceCm: 54,
        lop: [
          {
            mmHg: 190,
            method: 'doppler',
            position: 'supine',
            cuffWidthCm: 11.5,
            measuredOn: SCREENED_ON,
            device: 'Delfi PTSII, 11.5 cm cuff',
          },
        ],
      },
    ]);
    expect(sources.map((s) => [s.item, s.reference])).toEqual([
      ['limbs.thigh-left.circumferenceCm', 'Observation/c'],
      ['limbs.thigh-left.lop', 'Observation/l'],
    ]);
  });

  it('keeps the newest LOP per position and cuff and leaves out one older than 90 days', () => {
    const { limbs, notes } = sut([lop('old', 200, '2026-11-01'), lop('new', 190), lop('stale', 180, '2026-08-01')]);
    expect(limbs[0].lop.map((m) => m.mmHg)).toEqual([190]);
    expect(notes).toEqual([
      expect.stringMatching(/^Observation\/stale \(lop\) not used: measured 2026-08-01, 111 days before/),
    ]);
  });

  it('does not use an LOP without its method, position or cuff width, or a measurement without a side', () => {
    const { limbs, notes } = sut([
      lop('no-method', 190, SCREENED_ON, { method: undefined }),
      circumference(
        'no-side',
        54,
        concept({ system: 'http://snomed.info/sct', code: '68367000', display: 'Thigh structure' }),
      ),
    ]);
    expect(limbs).toEqual([{ limb: 'thigh', side: 'left', lop: [] }]);
    expect(notes).toEqual([
      'Observation/no-side (limb-circumference) not used: its body site names no cuff site (thigh or upper arm, left or right).',
      'Observation/no-method (lop) not used: no method coded as one of doppler, automatic-cuff, handheld-oximeter, pulse-oximeter, home-pulse-oximeter.',
    ]);
  });

  it('gives the day of the latest completed operation, however long ago', () => {
    expect(
      sut([surgery('p-1', '2025-01-10'), surgery('p-2', '2026-02-01'), surgery('p-3', '2026-11-01', 'in-progress')])
        .surgeryDate,
    ).toBe('2026-02-01');
    expect(sut([]).surgeryDate).toBeUndefined();
  });
});
