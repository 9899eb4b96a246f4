import { limbSite, SCREENED_ON, screeningRequest } from '../../test/factories';
import { RULES_DATA } from '../../test/rules-fixtures';
import { DomainError } from '../common/problem';
import { loadRuleCatalogue } from '../rulesets';
import { screenPatient } from './screen-patient';

const catalogue = loadRuleCatalogue(RULES_DATA);
const sut = (request = screeningRequest()) => screenPatient(catalogue, request, SCREENED_ON);

describe('screenPatient', () => {
  it('is contraindicated for a DVT history, citing the rule and its evidence', async () => {
    const outcome = await sut(screeningRequest({ answers: { ...screeningRequest().answers, vteHistory: 'yes' } }));
    expect(outcome.verdict).toBe('contraindicated');
    const finding = outcome.findings.find((f) => f.ruleId === 'ci.vte-history');
    expect(finding).toMatchObject({
      verdict: 'contraindicated',
      site: null,
      ruleVersion: 1,
      inputs: { vteHistory: 'yes' },
      evidence: expect.arrayContaining([
        expect.objectContaining({ level: 'confirmed', source: expect.stringContaining('Nascimento') }),
      ]),
    });
    expect(finding?.patientMessage).toMatch(/blood clot/);
  });

  it('is clear for every item no and a normal blood pressure measured on the day', async () => {
    const outcome = await sut();
    expect(outcome).toMatchObject({
      verdict: 'clear',
      findings: [],
      missing: [],
      modifications: [],
      vteScore: { total: 0, factors: [] },
    });
    expect(outcome.limbs.map((l) => l.verdict)).toEqual(['clear', 'clear']);
    expect(outcome.rulesetVersion).toBe(catalogue.version);
  });

  it('is incomplete for one unknown item, naming it', async () => {
    const outcome = await sut(
      screeningRequest({ answers: { ...screeningRequest().answers, anticoagulants: 'unknown' } }),
    );
    expect(outcome.verdict).toBe('incomplete');
    expect(outcome.missing).toEqual(['anticoagulants']);
  });

  it('blocks only the left thigh for a wound at the left-thigh cuff site', async () => {
    const outcome = await sut(
      screeningRequest({ limbs: [limbSite('thigh', 'left', { wound: 'yes' }), limbSite('thigh', 'right')] }),
    );
    expect(outcome.verdict).toBe('clear');
    expect(outcome.limbs).toEqual([
      { limb: 'thigh', side: 'left', verdict: 'contraindicated' },
      { limb: 'thigh', side: 'right', verdict: 'clear' },
    ]);
    expect(outcome.findings).toEqual([
      expect.objectContaining({ ruleId: 'site.wound', site: { limb: 'thigh', side: 'left' } }),
    ]);
  });

  it('turns a referral into a caution only when a clearance names it, and says so', async () => {
    const clearance = {
      findings: ['refer.peripheral-artery-disease'],
      by: 'Dr A. Okafor, vascular surgeon',
      on: '2026-11-18',
      note: 'Cleared for low-pressure BFR.',
    };
    const answers = {
      ...screeningRequest().answers,
      peripheralArteryDisease: 'yes' as const,
      anticoagulants: 'yes' as const,
    };
    expect((await sut(screeningRequest({ answers }))).verdict).toBe('refer');
    const partly = await sut(screeningRequest({ answers, clearances: [clearance] }));
    expect(partly.verdict).toBe('refer');
    expect(partly.findings.map((f) => [f.ruleId, f.cleared])).toEqual([
      ['refer.peripheral-artery-disease', true],
      ['refer.anticoagulants', false],
    ]);
    const both = { ...clearance, findings: [...clearance.findings, 'refer.anticoagulants'] };
    const cleared = await sut(screeningRequest({ answers, clearances: [both] }));
    expect(cleared.verdict).toBe('caution');
    expect(cleared.clearances).toEqual([both]);
    expect(cleared.findings[0]).toMatchObject({
      ruleId: 'refer.peripheral-artery-disease',
      verdict: 'refer',
      cleared: true,
      clearance: both,
    });
    expect(cleared.modifications).toEqual(
      expect.arrayContaining(['lower-pressure', 'conservative-first-session', 'supervised-sessions']),
    );
  });

  it('refuses a clearance that names a finding no clearance can lift, or no rule at all', async () => {
    const clearances = [
      {
        findings: ['ci.vte-history', 'refer.no-such-rule'],
        by: 'Dr A. Okafor, vascular surgeon',
        on: '2026-11-18',
        note: 'Cleared.',
      },
    ];
    const error = await sut(screeningRequest({ clearances })).catch((e: unknown) => e);
    expect((error as DomainError).errors).toEqual([
      expect.objectContaining({ field: 'clearances.0.findings.0', detail: expect.stringContaining('cannot lift') }),
      expect.objectContaining({ field: 'clearances.0.findings.1', detail: expect.stringContaining('not a rule') }),
    ]);
  });

  it('lists the modifications a caution asks of the prescription', async () => {
    const outcome = await sut(
      screeningRequest({ bloodPressure: { systolic: 150, diastolic: 85, measuredOn: SCREENED_ON } }),
    );
    expect(outcome.verdict).toBe('caution');
    expect(outcome.modifications).toEqual(['lower-pressure', 'intermittent-inflation', 'conservative-first-session']);
  });

  it('reports the VTE points with their factors', async () => {
    const outcome = await sut(
      screeningRequest({ patient: { ...screeningRequest().patient, sex: 'female', birthDate: '1960-01-01' } }),
    );
    expect(outcome.vteScore).toEqual({
      total: 3,
      factors: [
        { ruleId: 'vte.age-over-60', factor: 'Age over 60', points: 2 },
        { ruleId: 'vte.sex', factor: expect.stringContaining('Female'), points: 1 },
      ],
    });
  });

  it('refuses dates after the day of screening, naming each field', async () => {
    const request = screeningRequest({
      bloodPressure: { systolic: 120, diastolic: 80, measuredOn: '2026-11-21' },
      answers: { ...screeningRequest().answers, recentSurgery: 'yes' },
      surgeryDate: '2027-01-01',
    });
    const error = await sut(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).errors?.map((e) => e.field)).toEqual(['surgeryDate', 'bloodPressure.measuredOn']);
  });

  it('refuses a birth date that gives an age over 120', async () => {
    const error = await sut(
      screeningRequest({ patient: { ...screeningRequest().patient, birthDate: '1890-01-01' } }),
    ).catch((e: unknown) => e);
    expect((error as DomainError).errors).toEqual([
      expect.objectContaining({ field: 'patient.birthDate', detail: 'gives an age over 120 years' }),
    ]);
  });
});
