import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';

import { pressurePath, windowStart } from './Chart';
import { LangContext, TEXTS, translator } from './i18n';
import { groupByPatient } from './Patients';
import { prescriptionBody } from './plan-draft';
import { PlanView } from './PlanView';
import { prescribedSeconds } from './live-session';
import type { Prescription } from './types';

const rule = {
  ruleId: 'dose.lop-percent.acl',
  version: 2,
  title: 'Working pressure after ACL reconstruction',
  evidence: [{ source: 'Hughes 2019', level: 'rct' }],
};
const setBy = <T,>(value: T) => ({ value, basis: [rule] });

const prescription = {
  id: '7d7f3e52-0000-4000-8000-000000000001',
  seriesId: '7d7f3e52-0000-4000-8000-000000000001',
  version: 1,
  status: 'draft',
  patientRef: 'mrn-1001',
  createdAt: '2026-12-01T09:00:00Z',
  createdBy: 'dr-lee',
  approval: null,
  plan: {
    generatedOn: '2026-12-01',
    rulesetVersion: 'abc',
    indication: {
      condition: 'acl-reconstruction',
      side: 'left',
      weightBearing: 'full',
      weeksSinceSurgery: 9,
      weeksSinceOnset: null,
    },
    phase: {
      label: 'Low-load resistance',
      stage: 'low-load-resistance',
      evidenceGrade: 'rct',
      clinicianMessage: 'Phase note.',
      basis: [rule],
    },
    exercises: [
      {
        order: 1,
        exercise: { id: 'leg-press', name: 'Leg press', position: 'seated', modality: 'resistance' },
        site: { limb: 'thigh', side: 'left' },
        injuredSide: true,
        basis: [rule],
        dose: {
          pressure: {
            lopPercent: 80,
            mmHg: 152,
            startLopPercent: 60,
            startMmHg: 114,
            lop: { mmHg: 190, source: 'measured' },
            basis: { lopPercent: [rule], startLopPercent: [] },
          },
          load: { kind: 'external', percent1RM: 30, kg: 36, basis: [rule] },
          sets: setBy([30, 15, 15, 15]),
          restBetweenSets: { seconds: 30, basis: [rule] },
          tempo: setBy(null),
          bouts: setBy(null),
          intensity: setBy(null),
          reperfusion: { seconds: 120, basis: [rule] },
          maxContinuousMinutes: setBy(10),
        },
      },
    ],
    schedule: { sessionsPerWeek: setBy(2), programWeeks: setBy(6) },
    cautions: [],
    warnings: [],
    omitted: [],
  },
} as unknown as Prescription;

afterEach(() => {
  document.body.innerHTML = '';
});

describe('the plan as a clinician reads it', () => {
  it('shows pressures in mmHg and % LOP, the load and sets, each with the rules behind it', () => {
    const root = document.createElement('div');
    document.body.append(root);
    render(
      <LangContext.Provider value={{ lang: 'en', t: translator('en') }}>
        <PlanView prescription={prescription} />
      </LangContext.Provider>,
      root,
    );
    const text = root.textContent ?? '';
    expect(root.querySelector('[data-testid="pressure"]')?.textContent).toBe(
      '152 mmHg (80 % LOP) · first session: 114 mmHg (60 % LOP) · LOP 190 mmHg (measured)',
    );
    expect(text).toContain('30 % 1RM = 36 kg');
    expect(text).toContain('30-15-15-15');
    const why = root.querySelectorAll('details');
    expect(why.length).toBeGreaterThan(5);
    expect(why[0].querySelector('a')?.getAttribute('href')).toBe('/rules/dose.lop-percent.acl');
    expect(why[0].textContent).toContain('Hughes 2019');
  });

  it('is in Spanish when the clinician chooses Spanish', () => {
    const root = document.createElement('div');
    document.body.append(root);
    render(
      <LangContext.Provider value={{ lang: 'es', t: translator('es') }}>
        <PlanView prescription={prescription} />
      </LangContext.Provider>,
      root,
    );
    expect(root.textContent).toContain('Presión del manguito');
    expect(root.textContent).toContain('primera sesión');
  });
});

describe('the app text', () => {
  it('has every English text in Spanish with the same placeholders', () => {
    for (const [key, english] of Object.entries(TEXTS.en)) {
      const spanish = TEXTS.es[key as keyof typeof TEXTS.en];
      expect(spanish, key).toBeTruthy();
      expect(spanish.match(/\{\w+\}/g) ?? [], key).toEqual(english.match(/\{\w+\}/g) ?? []);
    }
  });
});

describe('the plan request', () => {
  it('adds the cuff, its LOP and the indication to the screening, sending only the dates given', () => {
    const screening = {
      patient: { ref: 'mrn-1' },
      answers: {},
      limbs: [{ limb: 'thigh', side: 'left', findings: {} }],
    };
    const body = prescriptionBody(screening, {
      condition: 'acl-reconstruction',
      side: 'left',
      surgeryDate: '2026-10-01',
      onsetDate: '',
      weightBearing: 'full',
      goal: 'strength',
      newToBfr: 'yes',
      equipment: [],
      oneRepMax: [
        { exercise: 'leg-press', kg: '120' },
        { exercise: '', kg: '' },
      ],
      sites: {
        'thigh:left': {
          cuffWidthCm: '11.5',
          lopMmHg: '190',
          method: 'doppler',
          position: 'supine',
          measuredOn: '2026-12-01',
        },
      },
    });
    expect(body).toEqual({
      ...screening,
      limbs: [
        {
          limb: 'thigh',
          side: 'left',
          findings: {},
          cuffWidthCm: 11.5,
          lop: [{ mmHg: 190, method: 'doppler', position: 'supine', cuffWidthCm: 11.5, measuredOn: '2026-12-01' }],
        },
      ],
      indication: { condition: 'acl-reconstruction', side: 'left', surgeryDate: '2026-10-01', weightBearing: 'full' },
      goal: 'strength',
      newToBfr: 'yes',
      oneRepMaxKg: { 'leg-press': 120 },
    });
  });
});

describe('the live session', () => {
  it('draws the last minute of pressure, with gaps where there was no reading', () => {
    const samples = [
      { t: 0, mmHg: 10, target: null },
      { t: 30, mmHg: 100, target: 150 },
      { t: 31, mmHg: null, target: 150 },
      { t: 90, mmHg: 150, target: 150 },
    ];
    expect(windowStart(samples)).toBe(30);
    expect(windowStart(samples.slice(0, 2))).toBe(0);
    const path = pressurePath(samples, 0, 250, (s) => s.mmHg);
    expect(path.startsWith('M')).toBe(true);
    expect(path.split('M')).toHaveLength(3);
    expect(pressurePath(samples, 30, 250, (s) => s.mmHg).split('M')).toHaveLength(3);
    expect(pressurePath(samples, 31, 250, (s) => s.mmHg).split('M')).toHaveLength(2);
    expect(pressurePath(samples, 0, 250, (s) => s.target)).toMatch(/^M[\d.]+,[\d.]+ L/);
  });

  it('times the set, the rest and the reperfusion from the program', () => {
    const program = {
      blocks: [
        {
          exerciseId: 'leg-press',
          channel: 'A',
          sets: [
            { reps: 30, workS: 60 },
            { reps: 15, workS: 30 },
          ],
          setRestS: 30,
          reperfusionS: 120,
        },
      ],
    };
    const at = (state: string, setIndex: number) => ({ elapsedMs: 0, state, blockIndex: 0, setIndex, channels: [] });
    expect(prescribedSeconds(program, at('HOLDING', 1))).toBe(30);
    expect(prescribedSeconds(program, at('SET_REST', 0))).toBe(30);
    expect(prescribedSeconds(program, at('REPERFUSION', 1))).toBe(120);
    expect(prescribedSeconds(program, at('PAUSED', 1))).toBeNull();
  });

  it('lists the patients in the order of their newest plan', () => {
    const plan = (patientRef: string, id: string) => ({
      id,
      version: 1,
      status: 'draft',
      patientRef,
      createdAt: '',
      condition: '',
      phase: '',
    });
    expect(
      groupByPatient([plan('b', '3'), plan('a', '2'), plan('b', '1')]).map((g) => [
        g.patientRef,
        g.plans.map((p) => p.id),
      ]),
    ).toEqual([
      ['b', ['3', '1']],
      ['a', ['2']],
    ]);
  });
});
