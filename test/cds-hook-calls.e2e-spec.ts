import type { Resource } from '@medplum/fhirtypes';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { CdsFeedbackRecord } from '../src/ehr/cds-hooks/cds-feedback.entity';
import type { CdsCard } from '../src/ehr/cds-hooks/cds-hooks.schema';
import { RuleCatalogue } from '../src/rules/catalogue';
import { escapeHtml } from '../src/rules/rule-page';
import { fhirMapping } from '../src/ehr/fhir/fhir-mapping';
import { conformingCards } from './cds-conformance';
import { testEhr, type TestEhr } from './ehr-client';
import { aclOrderDetails, aclScreeningAnswers, lopLeftThigh } from './cds-fixtures';
import { onScreeningDay, screeningRequest } from './factories';
import {
  bloodPressure,
  CODE,
  condition,
  patient,
  quantityObservation,
  questionnaireResponseFor,
  surgery,
} from './fhir-fixtures';
import { fhirProblems } from './fhir-validation';
import { startFhirTestServer } from './fhir-test-server';
import { startTestApp, type TestApp } from './test-app';

const BASE_URL = 'https://bfr.clinic.example';
const clock = onScreeningDay();

const bundle = (...resources: Resource[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
});

/** Everything the services ask to prefetch, for a healthy runner with recent measurements; pieces replaced by the overrides. */
function prefetch(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    patient: patient(),
    conditions: bundle(),
    bloodPressure: bundle(bloodPressure('bp-1', 124, 78)),
    bodyWeight: bundle(quantityObservation('wt-1', CODE.bodyWeight, 72, 'kg')),
    bodyHeight: bundle(quantityObservation('ht-1', CODE.bodyHeight, 178, 'cm')),
    medications: bundle(),
    procedures: bundle(),
    screeningAnswers: bundle(),
    ...overrides,
  };
}

const context = { userId: 'PractitionerRole/pt-42', patientId: 'pat-7' };

const bfrOrder = (site?: string) => ({
  resourceType: 'ServiceRequest',
  id: 'draft-bfr-1',
  status: 'draft',
  intent: 'order',
  code: {
    coding: [{ system: 'http://snomed.info/sct', code: '229065009', display: 'Exercise therapy' }],
    text: 'BFR resistance training',
  },
  subject: { reference: 'Patient/pat-7' },
  ...(site
    ? { bodySite: [{ coding: [{ system: 'https://bfr-rx.example.org/fhir/CodeSystem/bfr', code: site }] }] }
    : {}),
});

const orderBundle = (...resources: unknown[]) => ({
  resourceType: 'Bundle',
  type: 'collection',
  entry: resources.map((resource) => ({ resource })),
});

const checkedCards = (body: unknown): CdsCard[] => conformingCards(body, BASE_URL);

type FhirTestServer = Awaited<ReturnType<typeof startFhirTestServer>>;

describe('CDS Hooks services', () => {
  let sut: TestApp;
  let ehr: TestEhr;
  let rulesetVersion: string;
  /** The EHR's FHIR server, answering a page of two entries at a time. */
  let paged: FhirTestServer;
  /** Configured for the EHR, but too slow for the time budget. */
  let slow: FhirTestServer;
  /** A FHIR server the EHR's configuration does not name. */
  let unlisted: FhirTestServer;

  beforeAll(async () => {
    ehr = await testEhr(BASE_URL, 'https://ehr.clinic.example', () => clock.now());
    paged = await startFhirTestServer(
      [
        patient(),
        condition('c-1', CODE.varicoseVeins),
        condition('c-2', CODE.hypertension, 'resolved'),
        condition('c-12', CODE.dvt),
        bloodPressure('bp-1', 124, 78),
      ],
      { pageSize: 2 },
    );
    slow = await startFhirTestServer([patient(), condition('c-12', CODE.dvt)], { delayMs: 5_000 });
    unlisted = await startFhirTestServer([patient(), condition('c-12', CODE.dvt)]);
    // A configured base matches with or without its trailing slash.
    const client = { ...ehr.client, fhirServers: [`${paged.base}/`, slow.base] };
    sut = await startTestApp(
      { PUBLIC_BASE_URL: BASE_URL, CDS_CLIENTS: JSON.stringify([client]), CDS_FHIR_TIMEOUT_MS: '300' },
      { clock },
    );
    rulesetVersion = sut.app.get(RuleCatalogue).version;
  });

  afterAll(async () => {
    await sut.close();
    await Promise.all([paged.close(), slow.close(), unlisted.close()]);
  });

  const call = async (id: string, body: Record<string, unknown>) =>
    request(sut.http)
      .post(`/cds-services/${id}`)
      .auth(await ehr.jwt(`/cds-services/${id}`), { type: 'bearer' })
      .send({ hookInstance: crypto.randomUUID(), ...body });

  const patientView = (prefetched: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) =>
    call('bfr-screening', { hook: 'patient-view', context, ...(prefetched ? { prefetch: prefetched } : {}), ...extra });

  describe('patient-view', () => {
    it('gives a critical card for a DVT on the problem list, naming the rule, its version, the record entry and date, and the evidence', async () => {
      const res = await patientView(prefetch({ conditions: bundle(condition('c-12', CODE.dvt)) }));
      expect(res.status).toBe(200);
      const [card, ...rest] = checkedCards(res.body);
      expect(card).toMatchObject({
        indicator: 'critical',
        summary: 'BFR contraindicated: History of deep-vein thrombosis or pulmonary embolism',
        source: {
          label: `bfr-rx rules ${rulesetVersion.slice(0, 12)}`,
          url: `${BASE_URL}/rules/ci.vte-history`,
          topic: { code: 'contraindication' },
        },
        links: [
          {
            url: `${BASE_URL}/rules/ci.vte-history`,
            type: 'absolute',
            label: 'Rule ci.vte-history v1: logic and evidence',
          },
        ],
      });
      expect(card.overrideReasons?.every((reason) => reason.display.length > 0)).toBe(true);
      expect(card.detail).toContain('`ci.vte-history` version 1');
      expect(card.detail).toContain(
        'Condition/c-12: Deep venous thrombosis (http://snomed.info/sct|128053003), dated 2025-06-02 gives vteHistory = yes',
      );
      expect(card.detail).toContain('vteHistory = "yes"');
      expect(card.detail).toContain('Nascimento et al. 2022');
      // A DVT also scores VTE points: the referral that follows stands on the record too.
      expect(rest.map((c) => [c.indicator, c.source.url])).toEqual([
        ['warning', `${BASE_URL}/rules/refer.vte-score`],
        ['info', `${BASE_URL}/rules?ruleset=screening`],
      ]);
      expect(rest[0].detail).toContain('Condition/c-12');
    });

    it('still gives the critical card when the record has no height or weight, naming them as missing', async () => {
      const res = await patientView(
        prefetch({ conditions: bundle(condition('c-12', CODE.dvt)), bodyWeight: null, bodyHeight: bundle() }),
      );
      const cards = checkedCards(res.body);
      expect(cards.map((c) => c.indicator)).toEqual(['critical', 'info']);
      expect(cards[1].detail).toContain('**Not in the record:** body height, body weight.');
    });

    it('gives a record with nothing against BFR only the info card of the questions a record cannot answer', async () => {
      const cards = checkedCards((await patientView(prefetch())).body);
      expect(cards).toHaveLength(1);
      const [info] = cards;
      expect(info.indicator).toBe('info');
      expect(info.summary).toMatch(/^BFR screen incomplete: \d+ items to answer or measure before BFR$/);
      expect(info.detail).toContain('History of DVT or PE: not answered');
      expect(info.detail).toContain('Wound at the cuff site: not checked');
      expect(info.detail).not.toContain('blood pressure recorded');
      expect(info.detail).toContain('Cuff sites assumed: both thighs');
      expect(info.detail).toContain('No screening questionnaire answers in the EHR.');
      // Caution items not answered are asked on this card with the other questions, never asserted as present.
      expect(info.detail).toContain('[`caution.smoking-not-known` v1]');
      expect(info.detail).not.toContain('[`caution.smoking` v1]');
    });

    it('names what is missing on the info card: no blood pressure, no height, no weight', async () => {
      const cards = checkedCards(
        (await patientView(prefetch({ bloodPressure: null, bodyWeight: bundle(), bodyHeight: null }))).body,
      );
      expect(cards.map((c) => c.indicator)).toEqual(['info']);
      expect(cards[0].detail).toContain('No resting blood pressure recorded ([`ask.blood-pressure` v1]');
      expect(cards[0].detail).toContain('**Not in the record:** body height, body weight.');
    });

    it("gives no card when the clinician's screening answers and the record are clear", async () => {
      const answers = { id: 'qr-1', ...questionnaireResponseFor(screeningRequest()) };
      const res = await patientView(prefetch({ screeningAnswers: bundle(answers as Resource) }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ cards: [] });
    });

    it('sets aside screening answers older than 30 days, and says so on the info card with their date', async () => {
      const answers = { id: 'qr-1', ...questionnaireResponseFor(screeningRequest()), authored: '2026-09-01T10:00:00Z' };
      const cards = checkedCards((await patientView(prefetch({ screeningAnswers: bundle(answers as Resource) }))).body);
      expect(cards.map((c) => c.indicator)).toEqual(['info']);
      expect(cards[0].summary).toMatch(
        /^BFR screen incomplete: screening answers of 2026-09-01 not used; \d+ items to answer or measure$/,
      );
      expect(cards[0].detail).toContain(
        `**Screening answers not used:** QuestionnaireResponse/qr-1 of 2026-09-01: they are 80 days old, older than the 30 days answers are used for ([\`fhir.screening-answers.recent\` v1](${BASE_URL}/rules/fhir.screening-answers.recent)). Every item they answered stays unknown until asked again.`,
      );
      expect(cards[0].detail).toContain('History of DVT or PE: not answered');
      expect(cards[0].detail).toContain('No screening questionnaire answers recent enough to use.');
    });

    it('lets a yes in the record win over a screening answer of no, and says so on the card', async () => {
      const answers = { id: 'qr-1', ...questionnaireResponseFor(screeningRequest()) };
      const cards = checkedCards(
        (
          await patientView(
            prefetch({
              conditions: bundle(condition('c-12', CODE.dvt)),
              screeningAnswers: bundle(answers as Resource),
            }),
          )
        ).body,
      );
      expect(cards[0].indicator).toBe('critical');
      expect(cards[0].detail).toContain(
        'The screening answers say no for vteHistory; the EHR record says yes, and yes is used.',
      );
      expect(cards.map((c) => c.indicator)).not.toContain('info');
    });

    it('warns about a finding that needs a medical clearance', async () => {
      const res = await patientView(prefetch({ procedures: bundle(surgery('p-1', '2026-11-10')) }));
      const cards = checkedCards(res.body);
      const warning = cards.find((c) => c.indicator === 'warning');
      expect(warning).toBeDefined();
      expect(warning!.detail).toContain('Procedure/p-1');
      expect(warning!.detail).toContain('**To clear it:** record a clearance that names `refer.vte-score`');
    });

    it('answers 412 naming the Patient when it is neither prefetched nor readable', async () => {
      const { patient: _left, ...rest } = prefetch();
      const res = await patientView(rest);
      expect(res.status).toBe(412);
      expect(res.body).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ code: 'processing', diagnostics: expect.stringContaining('prefetch key "patient"') }],
      });
      const failed = await patientView({
        ...rest,
        patient: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] },
      });
      expect(failed.status).toBe(412);
      expect(failed.body.issue[0].diagnostics).toContain("the EHR's prefetch failed");
    });

    it('reads what was not prefetched from the EHR FHIR server, with the token given, following next pages', async () => {
      const res = await patientView(undefined, {
        fhirServer: paged.base,
        fhirAuthorization: {
          access_token: 'ehr-token-1',
          token_type: 'Bearer',
          expires_in: 300,
          scope: 'user/Patient.read user/Condition.read',
          subject: 'bfr-rx',
        },
      });
      const cards = checkedCards(res.body);
      expect(cards[0]).toMatchObject({ indicator: 'critical', source: { url: `${BASE_URL}/rules/ci.vte-history` } });
      expect(paged.seen.every((r) => r.authorization === 'Bearer ehr-token-1')).toBe(true);
      expect(paged.seen.map((r) => r.path)).toEqual(
        expect.arrayContaining([
          '/fhir/Patient/pat-7',
          '/fhir/Condition?patient=pat-7',
          '/fhir/Condition?patient=pat-7&_page=2',
        ]),
      );
      expect(cards.find((c) => c.indicator === 'info')!.detail).not.toContain('Not checked');
    });

    it('names the checks skipped on an info card when the FHIR server is too slow for the time budget', async () => {
      const res = await patientView(
        { patient: patient(), bloodPressure: bundle(bloodPressure('bp-1', 124, 78)) },
        {
          fhirServer: slow.base,
          fhirAuthorization: {
            access_token: 't',
            token_type: 'Bearer',
            expires_in: 300,
            scope: 'user/*.read',
            subject: 'bfr-rx',
          },
        },
      );
      expect(res.status).toBe(200);
      const cards = checkedCards(res.body);
      expect(cards.map((c) => c.indicator)).toEqual(['info']);
      expect(cards[0].summary).toMatch(
        /^BFR screen incomplete: EHR data not checked \(problem list, weight, height, medications, procedures, screening answers\); \d+ items to supply$/,
      );
      expect(cards[0].detail).toContain(
        '- the problem list (Conditions): reading it from the EHR failed: no answer within the time budget',
      );
    });

    it('never calls a fhirServer the EHR is not configured for, nor sends it the token, and says so on the info card', async () => {
      const fhirAuthorization = {
        access_token: 'ehr-token-2',
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'user/*.read',
        subject: 'bfr-rx',
      };
      const res = await patientView(
        { patient: patient(), bloodPressure: bundle(bloodPressure('bp-1', 124, 78)) },
        { fhirServer: unlisted.base, fhirAuthorization },
      );
      expect(res.status).toBe(200);
      expect(unlisted.seen).toEqual([]);
      const cards = checkedCards(res.body);
      // The DVT on the unlisted server stays unread: only the info card, naming every check skipped and why.
      expect(cards.map((c) => c.indicator)).toEqual(['info']);
      expect(cards[0].summary).toMatch(
        /^BFR screen incomplete: EHR data not checked \(problem list, weight, height, medications, procedures, screening answers\); /,
      );
      expect(cards[0].detail).toContain(
        `- the problem list (Conditions): not prefetched, and the fhirServer ${unlisted.base} is not one of the FHIR servers configured for this EHR, so it was not read and the token was not sent`,
      );
      const noPatient = await patientView({}, { fhirServer: unlisted.base, fhirAuthorization });
      expect(noPatient.status).toBe(200);
      expect(checkedCards(noPatient.body)[0].detail).toContain(
        '- the Patient (date of birth, sex): not prefetched, and the fhirServer',
      );
      expect(unlisted.seen).toEqual([]);
    });
  });

  describe('order-sign', () => {
    const orderSign = (prefetched: Record<string, unknown>, ...orders: unknown[]) =>
      call('bfr-order-check', {
        hook: 'order-sign',
        context: { ...context, draftOrders: orderBundle(...orders) },
        prefetch: prefetched,
      });

    it('stops the signing of a BFR order for a patient with a DVT', async () => {
      const cards = checkedCards(
        (await orderSign(prefetch({ conditions: bundle(condition('c-12', CODE.dvt)) }), bfrOrder())).body,
      );
      expect(cards[0]).toMatchObject({ indicator: 'critical', source: { url: `${BASE_URL}/rules/ci.vte-history` } });
    });

    it('makes a site finding critical when the order puts the cuff on that limb, and a warning when the site is only assumed', async () => {
      const lymphoedemaLeft = condition('c-3', CODE.lymphoedema, 'active', { bodySite: [{ coding: [CODE.left] }] });
      const signed = checkedCards(
        (await orderSign(prefetch({ conditions: bundle(lymphoedemaLeft) }), bfrOrder('cuff-site-thigh-left'))).body,
      );
      expect(signed.filter((c) => c.indicator === 'critical').map((c) => c.summary)).toEqual([
        expect.stringMatching(/^No BFR cuff on the left thigh: /),
      ]);
      const viewed = checkedCards((await patientView(prefetch({ conditions: bundle(lymphoedemaLeft) }))).body);
      expect(viewed.filter((c) => c.indicator === 'critical')).toEqual([]);
      expect(viewed.filter((c) => c.indicator === 'warning').map((c) => c.summary)).toEqual([
        expect.stringMatching(/^No BFR cuff on the left thigh: /),
      ]);
    });

    it('says nothing when no BFR or exercise order is being signed', async () => {
      const medication = {
        resourceType: 'MedicationRequest',
        id: 'm-1',
        status: 'draft',
        intent: 'order',
        subject: { reference: 'Patient/pat-7' },
      };
      const res = await orderSign(prefetch({ conditions: bundle(condition('c-12', CODE.dvt)) }), medication);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ cards: [] });
    });
  });

  describe('order-select', () => {
    const aclRecord = (overrides: Record<string, unknown> = {}) =>
      prefetch({
        procedures: bundle(surgery('p-1', '2026-10-30')),
        screeningAnswers: bundle(aclScreeningAnswers() as Resource),
        lop: bundle(lopLeftThigh(190) as Resource),
        limbCircumference: bundle(),
        ...overrides,
      });
    const aclOrder = (details: Record<string, unknown> = {}) => ({
      ...bfrOrder('cuff-site-thigh-left'),
      ...aclOrderDetails(),
      ...details,
    });
    const orderSelect = (
      prefetched: Record<string, unknown>,
      order: Record<string, unknown>,
      selections = ['ServiceRequest/draft-bfr-1'],
    ) =>
      call('bfr-protocol', {
        hook: 'order-select',
        context: { ...context, selections, draftOrders: orderBundle(order) },
        prefetch: prefetched,
      });

    it('proposes protocols as draft orders that replace the selected one, the ordered goal recommended, at most one to take', async () => {
      const res = await orderSelect(aclRecord(), aclOrder());
      expect(res.status).toBe(200);
      const [card, ...rest] = checkedCards(res.body);
      expect(rest).toEqual([]);
      expect(card).toMatchObject({
        indicator: 'info',
        selectionBehavior: 'at-most-one',
        source: { topic: { code: 'protocol-proposal' } },
      });
      expect(card.summary).toMatch(/^BFR protocol for Anterior cruciate ligament reconstruction, .+: \d+ options?$/);
      expect(card.overrideReasons!.length).toBeGreaterThan(0);
      const suggestions = card.suggestions!;
      expect(suggestions.filter((s) => s.isRecommended).map((s) => s.label)).toEqual([
        expect.stringMatching(/^Strength \(as ordered\): /),
      ]);
      for (const suggestion of suggestions) {
        const [remove, ...creates] = suggestion.actions;
        expect(remove).toEqual({
          type: 'delete',
          description: expect.any(String),
          resourceId: 'ServiceRequest/draft-bfr-1',
        });
        expect(creates.length).toBeGreaterThanOrEqual(2);
        expect(creates.every((a) => a.type === 'create' && a.resource !== undefined)).toBe(true);
        expect(creates.map((a) => a.resource!.resourceType)).toEqual(
          creates.map((_, i) => (i % 2 === 0 ? 'ServiceRequest' : 'DeviceRequest')),
        );
        for (const action of creates) {
          expect(action.resource).toMatchObject({
            status: 'draft',
            intent: 'order',
            subject: { reference: 'Patient/pat-7' },
          });
          expect(fhirProblems(action.resource as Resource)).toEqual([]);
        }
      }
      expect(card.detail).toContain('Observation/lop-1: limbs.thigh-left.lop = 190, dated 2026-11-20');
      expect(card.detail).toContain('LOP: left thigh 190 mmHg measured 2026-11-20 (doppler, supine, 11.5 cm cuff)');
    });

    it('names what the order lacks instead of guessing: the indication and the weight bearing', async () => {
      const cards = checkedCards(
        (await orderSelect(aclRecord(), aclOrder({ reasonCode: undefined, orderDetail: undefined }))).body,
      );
      expect(cards.map((c) => [c.indicator, c.suggestions])).toEqual([['info', undefined]]);
      expect(cards[0].summary).toBe('No BFR protocol proposed yet: 2 things to supply or settle');
      expect(cards[0].detail).toContain(
        'what the order treats: a reasonCode from https://bfr-rx.example.org/fhir/CodeSystem/bfr-indication',
      );
      expect(cards[0].detail).toContain('the weight bearing allowed');
    });

    it('asks for an LOP measured at the cuff site before proposing anything', async () => {
      const cards = checkedCards((await orderSelect(aclRecord({ lop: bundle() }), aclOrder())).body);
      expect(cards.map((c) => c.indicator)).toEqual(['info']);
      expect(cards[0].detail).toContain('the cuff at the left thigh: no usable LOP measured there');
    });

    it('proposes nothing for a patient with a DVT, only the critical card', async () => {
      const cards = checkedCards(
        (await orderSelect(aclRecord({ conditions: bundle(condition('c-12', CODE.dvt)) }), aclOrder())).body,
      );
      expect(cards[0].indicator).toBe('critical');
      expect(cards.some((c) => c.suggestions)).toBe(false);
    });

    it('says nothing when the selection is not a BFR or exercise order', async () => {
      const medication = {
        resourceType: 'MedicationRequest',
        id: 'm-1',
        status: 'draft',
        intent: 'order',
        subject: { reference: 'Patient/pat-7' },
      };
      const res = await orderSelect(aclRecord(), medication, ['MedicationRequest/m-1']);
      expect(res.body).toEqual({ cards: [] });
    });
  });

  describe('malformed calls', () => {
    it('refuses a hook the service does not answer, naming the field', async () => {
      const res = await call('bfr-order-check', { hook: 'patient-view', context, prefetch: prefetch() });
      expect(res.status).toBe(400);
      expect(res.body.issue[0]).toMatchObject({ code: 'invalid', expression: ['hook'] });
    });

    it('names each refused field: no patient id, a token without its server, an unknown hook', async () => {
      const noPatient = await call('bfr-screening', {
        hook: 'patient-view',
        context: { userId: 'PractitionerRole/pt-42' },
      });
      expect(noPatient.status).toBe(400);
      expect(noPatient.body.issue).toEqual([
        expect.objectContaining({ code: 'required', expression: ['context.patientId'] }),
      ]);
      const noServer = await call('bfr-screening', {
        hook: 'patient-view',
        context,
        fhirAuthorization: { access_token: 't', token_type: 'Bearer', expires_in: 300, scope: 's', subject: 'x' },
      });
      expect(noServer.body.issue).toEqual([expect.objectContaining({ expression: ['fhirServer'] })]);
      const unknownHook = await call('bfr-screening', { hook: 'patient-open', context });
      expect(unknownHook.status).toBe(400);
      expect(unknownHook.body.issue[0].expression).toEqual(['hook']);
    });
  });

  it('cites only rule pages a clinician can open from the EHR without signing in, each with the rule and its evidence', async () => {
    const aclRecord = prefetch({
      procedures: bundle(surgery('p-1', '2026-10-30')),
      screeningAnswers: bundle(aclScreeningAnswers() as Resource),
      lop: bundle(lopLeftThigh(190) as Resource),
    });
    const aclOrder = { ...bfrOrder('cuff-site-thigh-left'), ...aclOrderDetails() };
    const orderSelect = (prefetched: Record<string, unknown>) =>
      call('bfr-protocol', {
        hook: 'order-select',
        context: { ...context, selections: ['ServiceRequest/draft-bfr-1'], draftOrders: orderBundle(aclOrder) },
        prefetch: prefetched,
      });
    const responses = [
      await patientView(prefetch({ conditions: bundle(condition('c-12', CODE.dvt)) })),
      await patientView(prefetch({ bloodPressure: null })),
      await orderSelect(aclRecord),
      await orderSelect({ ...aclRecord, lop: bundle() }),
      await patientView(
        prefetch({
          screeningAnswers: bundle({
            id: 'qr-1',
            ...questionnaireResponseFor(screeningRequest()),
            authored: '2026-09-01',
          } as Resource),
        }),
      ),
    ];
    const cards = responses.flatMap((res) => checkedCards(res.body));
    expect(cards.some((c) => c.suggestions)).toBe(true);
    const urls = new Set(
      cards.flatMap((card) => [
        card.source.url!,
        ...card.links!.map((l) => l.url),
        ...[...(card.detail ?? '').matchAll(/\]\((https:[^)]+)\)/g)].map((m) => m[1]),
      ]),
    );
    const catalogue = sut.app.get(RuleCatalogue);
    const cited = [...urls]
      .filter((url) => url.startsWith(`${BASE_URL}/rules/`))
      .map((url) => decodeURIComponent(url.slice(`${BASE_URL}/rules/`.length)));
    expect(cited.length).toBeGreaterThan(10);
    expect(
      [...urls].every(
        (url) =>
          url.startsWith(`${BASE_URL}/rules/`) || url.startsWith(`${BASE_URL}/rules?`) || url === `${BASE_URL}/rules`,
      ),
    ).toBe(true);
    for (const url of urls) {
      const res = await request(sut.http).get(url.slice(BASE_URL.length));
      expect({ url, status: res.status, type: res.headers['content-type'] }).toEqual({
        url,
        status: 200,
        type: 'text/html; charset=utf-8',
      });
    }
    const mappingEntries = fhirMapping.sourced!(catalogue.table(fhirMapping)).entries;
    expect(cited).toEqual(expect.arrayContaining(['fhir.condition.vte-history', 'fhir.screening-answers.recent']));
    for (const id of cited) {
      const cites = catalogue.rule(id)?.rule ?? mappingEntries.find((entry) => entry.id === id)!;
      const page = (await request(sut.http).get(`/rules/${id}`)).text;
      expect(page).toContain(`<code>${id}</code>, version ${cites.version}`);
      for (const evidence of cites.evidence) {
        expect(page).toContain(escapeHtml(evidence.source));
      }
    }
  });

  it('stores feedback on a card it gave, under the rule behind it', async () => {
    const [card] = checkedCards(
      (await patientView(prefetch({ conditions: bundle(condition('c-12', CODE.dvt)) }))).body,
    );
    const path = '/cds-services/bfr-screening/feedback';
    const res = await request(sut.http)
      .post(path)
      .auth(await ehr.jwt(path), { type: 'bearer' })
      .send({
        feedback: [
          {
            card: card.uuid,
            outcome: 'overridden',
            overrideReason: { reason: card.overrideReasons![0] },
            outcomeTimestamp: '2026-11-20T09:40:00Z',
          },
        ],
      });
    expect(res.status).toBe(200);
    const rows = await sut.app.get(DataSource).getRepository(CdsFeedbackRecord).findBy({ cardUuid: card.uuid });
    expect(rows).toEqual([
      expect.objectContaining({
        ruleId: 'ci.vte-history',
        ruleVersion: 1,
        rulesetVersion,
        overrideCode: 'record-outdated',
      }),
    ]);
  });
});

describe('CDS Hooks in the audit trail', () => {
  let sut: TestApp;
  let ehr: TestEhr;
  let otherEhr: TestEhr;
  type Audited = {
    actor: string | null;
    tenant: string | null;
    action: string;
    resourceId: string | null;
    outcome: string;
    status: number;
  };

  beforeAll(async () => {
    ehr = await testEhr(BASE_URL, 'https://ehr.clinic.example', () => clock.now());
    otherEhr = await testEhr(BASE_URL, 'https://other-ehr.example', () => clock.now());
    sut = await startTestApp(
      {
        PUBLIC_BASE_URL: BASE_URL,
        CDS_CLIENTS: JSON.stringify([{ ...ehr.client, tenant: 'clinic-north' }, otherEhr.client]),
      },
      { clock },
    );
  });

  afterAll(async () => {
    await sut.close();
  });

  const post = async (
    path: string,
    body: object,
    from: TestEhr = ehr,
    claims: Record<string, unknown> = { sub: 'epic-client-1' },
  ) =>
    request(sut.http)
      .post(path)
      .auth(await from.jwt(path, { claims }), { type: 'bearer' })
      .send(body);
  const patientView = (prefetched: Record<string, unknown>, from?: TestEhr, claims?: Record<string, unknown>) =>
    post(
      '/cds-services/bfr-screening',
      { hook: 'patient-view', hookInstance: crypto.randomUUID(), context, prefetch: prefetched },
      from,
      claims,
    );
  const trail = async (): Promise<Audited[]> => {
    const admin = await sut.tokenFor('admin');
    const res = await request(sut.http).get('/v1/audit?limit=500').auth(admin, { type: 'bearer' }).expect(200);
    return res.body.records.map(({ actor, tenant, action, resourceId, outcome, status }: Audited) => ({
      actor,
      tenant,
      action,
      resourceId,
      outcome,
      status,
    }));
  };

  it('records every hook call and feedback: the EHR and the JWT subject, the service, the patient and how it ended, and no clinical content', async () => {
    const actor = 'https://ehr.clinic.example|epic-client-1';
    const answered = await patientView(prefetch({ conditions: bundle(condition('c-12', CODE.dvt)) }));
    expect(answered.status).toBe(200);
    const { patient: _left, ...withoutPatient } = prefetch();
    expect((await patientView(withoutPatient)).status).toBe(412);
    const [card] = answered.body.cards as CdsCard[];
    const feedback = {
      feedback: [
        {
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: { reason: card.overrideReasons![0] },
          outcomeTimestamp: '2026-11-20T09:40:00Z',
        },
      ],
    };
    expect((await post('/cds-services/bfr-screening/feedback', feedback)).status).toBe(200);
    const refused = {
      feedback: [{ card: crypto.randomUUID(), outcome: 'overridden', outcomeTimestamp: '2026-11-20T09:41:00Z' }],
    };
    expect((await post('/cds-services/bfr-screening/feedback', refused)).status).toBe(400);
    expect(
      (
        await request(sut.http)
          .get('/cds-services')
          .auth(await ehr.jwt('/cds-services'), { type: 'bearer' })
      ).status,
    ).toBe(200);
    expect(
      (
        await request(sut.http)
          .post('/cds-services/bfr-screening')
          .auth(await ehr.jwt('/cds-services'), { type: 'bearer' })
          .send({})
      ).status,
    ).toBe(401);

    const records = await trail();
    expect(records.filter((r) => r.action.includes('cds-services'))).toEqual([
      {
        actor,
        tenant: 'clinic-north',
        action: 'POST /cds-services/bfr-screening',
        resourceId: 'Patient/pat-7',
        outcome: 'success',
        status: 200,
      },
      {
        actor,
        tenant: 'clinic-north',
        action: 'POST /cds-services/bfr-screening',
        resourceId: 'Patient/pat-7',
        outcome: 'failed',
        status: 412,
      },
      {
        actor,
        tenant: 'clinic-north',
        action: 'POST /cds-services/bfr-screening/feedback',
        resourceId: 'Patient/pat-7',
        outcome: 'success',
        status: 200,
      },
      {
        actor,
        tenant: 'clinic-north',
        action: 'POST /cds-services/bfr-screening/feedback',
        resourceId: null,
        outcome: 'failed',
        status: 400,
      },
      {
        actor: 'https://ehr.clinic.example',
        tenant: 'clinic-north',
        action: 'GET /cds-services',
        resourceId: null,
        outcome: 'success',
        status: 200,
      },
    ]);
    expect(JSON.stringify(records)).not.toMatch(/128053003|thrombo|c-12|overridden|record-outdated/i);
    const denied = await sut.app
      .get(DataSource)
      .query(`SELECT actor, tenant, action, outcome, status FROM audit_events WHERE status = 401`);
    expect(denied).toEqual([
      { actor: null, tenant: null, action: 'POST /cds-services/:id', outcome: 'denied', status: 401 },
    ]);
    const admin = await sut.tokenFor('admin');
    expect(
      (await request(sut.http).get('/v1/audit/verification').auth(admin, { type: 'bearer' }).expect(200)).body,
    ).toMatchObject({ intact: true });
  });

  it("keeps an EHR without a configured organization out of every organization's trail, on the same chain", async () => {
    expect((await patientView(prefetch(), otherEhr, {})).status).toBe(200);
    const rows = await sut.app
      .get(DataSource)
      .query(
        `SELECT actor, tenant, action, resource_id AS "resourceId" FROM audit_events WHERE actor LIKE 'https://other-ehr%'`,
      );
    expect(rows).toEqual([
      {
        actor: 'https://other-ehr.example',
        tenant: null,
        action: 'POST /cds-services/bfr-screening',
        resourceId: 'Patient/pat-7',
      },
    ]);
    expect((await trail()).some((r) => r.actor?.startsWith('https://other-ehr'))).toBe(false);
  });
});
