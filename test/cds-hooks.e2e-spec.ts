import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { CdsFeedbackRecord } from '../src/ehr/cds-hooks/cds-feedback.entity';
import { CdsDiscovery, type CdsCard } from '../src/ehr/cds-hooks/cds-hooks.schema';
import { IssuedCards } from '../src/ehr/cds-hooks/issued-cards';
import { RuleCatalogue } from '../src/rules/catalogue';
import { testEhr, type TestEhr } from './ehr-client';
import { startTestApp, type TestApp } from './test-app';

const BASE_URL = 'https://bfr.clinic.example';

function expectOutcome(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, resourceType: res.body.resourceType, code: res.body.issue?.[0]?.code }).toEqual({
    status,
    resourceType: 'OperationOutcome',
    code,
  });
  expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+:\d+:\d+/);
}

describe('CDS Hooks: discovery, errors, CORS', () => {
  let sut: TestApp;
  let ehr: TestEhr;

  beforeAll(async () => {
    ehr = await testEhr(BASE_URL);
    sut = await startTestApp({
      PUBLIC_BASE_URL: BASE_URL,
      CDS_CLIENTS: JSON.stringify([ehr.client]),
      CDS_CORS_ORIGINS: 'https://ehr.clinic.example',
      CORS_ORIGINS: 'https://app.clinic.example',
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('lists the three services with their hooks and prefetch templates', async () => {
    const res = await sut.withToken(await ehr.jwt('/cds-services')).get('/cds-services');
    expect(res.status).toBe(200);
    const discovery = CdsDiscovery.parse(res.body);
    expect(discovery.services.map((s) => [s.id, s.hook])).toEqual([
      ['bfr-screening', 'patient-view'],
      ['bfr-protocol', 'order-select'],
      ['bfr-order-check', 'order-sign'],
    ]);
    for (const service of discovery.services) {
      expect(service.description).toContain(`Rule set ${sut.app.get(RuleCatalogue).version.slice(0, 12)}.`);
      const screening = [
        'patient',
        'conditions',
        'bloodPressure',
        'bodyWeight',
        'bodyHeight',
        'medications',
        'procedures',
        'screeningAnswers',
      ];
      expect(Object.keys(service.prefetch ?? {})).toEqual(
        service.hook === 'order-select' ? [...screening, 'lop', 'limbCircumference'] : screening,
      );
      // CDS Hooks 2.0 prefetch tokens: root-level context fields only.
      for (const template of Object.values(service.prefetch ?? {})) {
        expect(template.match(/\{\{[^}]+\}\}/g)).toEqual(['{{context.patientId}}']);
      }
    }
  });

  it('refuses discovery with a JWT made for another URL', async () => {
    const res = await sut.withToken(await ehr.jwt('/cds-services/bfr-screening')).get('/cds-services');
    expectOutcome(res, 401, 'login');
    expect(res.body.issue[0].details.text).toBe(`The JWT's aud must be the URL invoked: ${BASE_URL}/cds-services.`);
  });

  it('refuses a replayed JWT', async () => {
    const token = await ehr.jwt('/cds-services');
    await sut.withToken(token).get('/cds-services').expect(200);
    const res = await sut.withToken(token).get('/cds-services');
    expectOutcome(res, 401, 'login');
    expect(res.body.issue[0].details.text).toContain('already used');
  });

  it('answers an unknown service 404, an unknown path 404 and a wrong method 404, as OperationOutcome', async () => {
    const unknownPath = '/cds-services/no-such-service/feedback';
    expectOutcome(
      await sut
        .withToken(await ehr.jwt(unknownPath))
        .post(unknownPath)
        .send({ feedback: [] }),
      400,
      'invalid',
    );
    const unknown = await sut
      .withToken(await ehr.jwt(unknownPath))
      .post(unknownPath)
      .send({
        feedback: [{ card: crypto.randomUUID(), outcome: 'overridden', outcomeTimestamp: '2026-11-20T09:00:00Z' }],
      });
    expectOutcome(unknown, 404, 'not-found');
    expect(unknown.body.issue[0].details.text).toContain('"no-such-service"');
    expectOutcome(await request(sut.http).get('/cds-services/bfr-screening/feedback/x'), 404, 'not-found');
    expectOutcome(await request(sut.http).get('/cds-services/bfr-screening/feedback'), 404, 'not-found');
  });

  it('answers malformed JSON, a wrong content type and invalid fields with OperationOutcome naming the problem', async () => {
    const path = '/cds-services/bfr-screening/feedback';
    expectOutcome(
      await sut
        .withToken(await ehr.jwt(path))
        .post(path)
        .set('content-type', 'application/json')
        .send('{"feedback": ['),
      400,
      'structure',
    );
    expectOutcome(
      await sut
        .withToken(await ehr.jwt(path))
        .post(path)
        .set('content-type', 'text/plain')
        .send('feedback'),
      415,
      'not-supported',
    );
    const res = await sut
      .withToken(await ehr.jwt(path))
      .post(path)
      .send({ feedback: [{ card: 'not-a-uuid', outcome: 'ignored', outcomeTimestamp: 'yesterday' }], extra: 1 });
    expectOutcome(res, 400, 'invalid');
    expect(res.body.issue.map((i: { expression: string[] }) => i.expression[0]).sort()).toEqual([
      'extra',
      'feedback.0.card',
      'feedback.0.outcome',
      'feedback.0.outcomeTimestamp',
    ]);
  });

  it.each(['/cds-services', '/cds-services/bfr-screening', '/cds-services/bfr-screening/feedback'])(
    'answers a CORS preflight on %s for an EHR origin, without credentials',
    async (path) => {
      const res = await request(sut.http)
        .options(path)
        .set('origin', 'https://ehr.clinic.example')
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'authorization,content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://ehr.clinic.example');
      expect(res.headers['access-control-allow-methods']).toContain('POST');
      expect(res.headers['access-control-allow-headers']).toContain('authorization');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    },
  );

  it('keeps the EHR origins to the CDS routes and the clinic origins to the API', async () => {
    const answer = await sut
      .withToken(await ehr.jwt('/cds-services'))
      .get('/cds-services')
      .set('origin', 'https://ehr.clinic.example');
    expect(answer.headers['access-control-allow-origin']).toBe('https://ehr.clinic.example');
    const refused = await request(sut.http)
      .options('/cds-services')
      .set('origin', 'https://evil.example')
      .set('access-control-request-method', 'POST');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const api = await request(sut.http)
      .options('/v1/rules')
      .set('origin', 'https://ehr.clinic.example')
      .set('access-control-request-method', 'GET');
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
    const cds = await request(sut.http)
      .options('/cds-services')
      .set('origin', 'https://app.clinic.example')
      .set('access-control-request-method', 'GET');
    expect(cds.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CDS Hooks: the EHR JWT', () => {
  let sut: TestApp;
  let ehr: TestEhr;
  let keyServer: Server;
  let jku: string;
  let rs384: CryptoKey;

  beforeAll(async () => {
    ehr = await testEhr(BASE_URL);
    const pair = await generateKeyPair('RS384', { extractable: true });
    rs384 = pair.privateKey;
    const published = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'ehr-rs384', alg: 'RS384', use: 'sig' }] };
    keyServer = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(published)),
    );
    await new Promise<void>((done) => keyServer.listen(0, '127.0.0.1', done));
    jku = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/jwks.json`;
    sut = await startTestApp({
      PUBLIC_BASE_URL: BASE_URL,
      CDS_CLIENTS: JSON.stringify([{ ...ehr.client, jku: [jku] }]),
    });
  });

  afterAll(async () => {
    await sut.close();
    await new Promise((done) => keyServer.close(done));
  });

  const discover = (token: string) => sut.withToken(token).get('/cds-services');

  it('accepts an RS384 JWT whose key is at an allow-listed jku', async () => {
    await discover(
      await ehr.jwt('/cds-services', { key: rs384, alg: 'RS384', header: { kid: 'ehr-rs384', jku } }),
    ).expect(200);
  });

  it.each<[string, () => Promise<string>, string]>([
    [
      'HS256',
      () =>
        ehr.jwt('/cds-services', {
          alg: 'HS256',
          key: new TextEncoder().encode('a-secret-anyone-could-guess-0123456789'),
        }),
      'sign with ES384 or RS384',
    ],
    [
      'RS256',
      async () => ehr.jwt('/cds-services', { alg: 'RS256', key: (await generateKeyPair('RS256')).privateKey }),
      'sign with ES384 or RS384',
    ],
    [
      'another audience',
      () => ehr.jwt('/cds-services/bfr-screening'),
      `aud must be the URL invoked: ${BASE_URL}/cds-services`,
    ],
    [
      'an expired token',
      () =>
        ehr.jwt('/cds-services', {
          claims: { iat: Math.floor(Date.now() / 1000) - 900, exp: Math.floor(Date.now() / 1000) - 600 },
        }),
      'expired',
    ],
    [
      'an unknown issuer',
      () => ehr.jwt('/cds-services', { claims: { iss: 'https://unknown-ehr.example' } }),
      'is not an EHR this service is configured to trust',
    ],
    [
      'a jku not on the allow-list',
      () => ehr.jwt('/cds-services', { header: { jku: 'http://127.0.0.1:9/jwks.json' } }),
      'is not on the allow-list',
    ],
  ])('refuses %s with 401 OperationOutcome saying why', async (what, token, why) => {
    const res = await discover(await token());
    expectOutcome(res, 401, what === 'an expired token' ? 'expired' : 'login');
    expect(res.body.issue[0].details.text).toContain(why);
  });
});

describe('CDS Hooks: CORS open to every origin', () => {
  it('allows "*" without credentials', async () => {
    const sut = await startTestApp({ CDS_CORS_ORIGINS: '*' });
    try {
      const res = await request(sut.http)
        .options('/cds-services/bfr-screening')
        .set('origin', 'https://any.example')
        .set('access-control-request-method', 'POST');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await sut.close();
    }
  });
});

describe('CDS Hooks: feedback', () => {
  let sut: TestApp;
  let ehr: TestEhr;
  let otherEhr: TestEhr;
  const path = '/cds-services/bfr-screening/feedback';

  beforeAll(async () => {
    ehr = await testEhr(BASE_URL);
    otherEhr = await testEhr(BASE_URL, 'https://other-ehr.example');
    sut = await startTestApp({ PUBLIC_BASE_URL: BASE_URL, CDS_CLIENTS: JSON.stringify([ehr.client, otherEhr.client]) });
  });

  afterAll(async () => {
    await sut.close();
  });

  const feedbackRows = () =>
    sut.app
      .get(DataSource)
      .getRepository(CdsFeedbackRecord)
      .find({ order: { ruleId: 'ASC' } });
  const send = async (body: object, from: TestEhr = ehr, to = path) => sut.withToken(await from.jwt(to)).post(to, body);

  /** A card as the screening service gives it, recorded as given to the EHR. */
  async function issuedCard(
    rules: Array<{ ruleId: string; version: number }>,
    withSuggestion = false,
  ): Promise<CdsCard> {
    const card: CdsCard = {
      uuid: crypto.randomUUID(),
      summary: 'BFR not advised: history of DVT',
      indicator: 'critical',
      source: { label: 'bfr-rx rules' },
      overrideReasons: [
        {
          system: `${BASE_URL}/fhir/CodeSystem/bfr-override-reason`,
          code: 'data-outdated',
          display: 'The record is out of date',
        },
      ],
      ...(withSuggestion
        ? {
            selectionBehavior: 'at-most-one' as const,
            suggestions: [
              {
                label: 'Add',
                uuid: crypto.randomUUID(),
                actions: [
                  { type: 'create' as const, description: 'Add', resource: { resourceType: 'ServiceRequest' } },
                ],
              },
            ],
          }
        : {}),
    };
    await sut.app
      .get(IssuedCards)
      .record(
        { issuer: ehr.issuer, tokenId: 'x' },
        { serviceId: 'bfr-screening', hookInstance: crypto.randomUUID(), patient: 'Patient/pat-7' },
        [{ card, basis: { rules, rulesetVersion: 'a'.repeat(64) } }],
      );
    return card;
  }

  it('stores an override once per rule behind the card, with the rule set version, and a resend changes nothing', async () => {
    const card = await issuedCard([
      { ruleId: 'ci.vte-history', version: 1 },
      { ruleId: 'ci.clotting-disorder', version: 2 },
    ]);
    const body = {
      feedback: [
        {
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: {
            reason: { system: card.overrideReasons![0].system, code: 'data-outdated' },
            userComment: 'Duplex negative last month',
          },
          outcomeTimestamp: '2026-11-20T09:14:02Z',
        },
      ],
    };
    expect((await send(body)).status).toBe(200);
    expect((await send(body)).status).toBe(200);
    const rows = (await feedbackRows()).filter((row) => row.cardUuid === card.uuid);
    expect(rows).toEqual([
      expect.objectContaining({
        ruleId: 'ci.clotting-disorder',
        ruleVersion: 2,
        rulesetVersion: 'a'.repeat(64),
        outcome: 'overridden',
        overrideCode: 'data-outdated',
        overrideComment: 'Duplex negative last month',
        outcomeAt: new Date('2026-11-20T09:14:02Z'),
      }),
      expect.objectContaining({
        ruleId: 'ci.vte-history',
        ruleVersion: 1,
        serviceId: 'bfr-screening',
        issuer: ehr.issuer,
      }),
    ]);
  });

  it('stores an acceptance with the suggestions taken', async () => {
    const card = await issuedCard([{ ruleId: 'dose.lop-percent', version: 1 }], true);
    const suggestion = card.suggestions![0].uuid;
    const res = await send({
      feedback: [
        {
          card: card.uuid,
          outcome: 'accepted',
          acceptedSuggestions: [{ id: suggestion }],
          outcomeTimestamp: '2026-11-20T10:00:00+01:00',
        },
      ],
    });
    expect(res.status).toBe(200);
    expect((await feedbackRows()).find((row) => row.cardUuid === card.uuid)).toMatchObject({
      outcome: 'accepted',
      acceptedSuggestions: JSON.stringify([suggestion]),
      outcomeAt: new Date('2026-11-20T09:00:00Z'),
    });
  });

  it('refuses feedback about a card it never gave this EHR, a suggestion or reason the card did not offer, and stores nothing of it', async () => {
    const card = await issuedCard([{ ruleId: 'ci.pregnancy', version: 1 }], true);
    const before = (await feedbackRows()).length;
    const res = await send({
      feedback: [
        {
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: { userComment: 'fine' },
          outcomeTimestamp: '2026-11-20T09:00:00Z',
        },
        { card: crypto.randomUUID(), outcome: 'overridden', outcomeTimestamp: '2026-11-20T09:00:00Z' },
        {
          card: card.uuid,
          outcome: 'accepted',
          acceptedSuggestions: [{ id: crypto.randomUUID() }],
          outcomeTimestamp: '2026-11-20T09:01:00Z',
        },
        {
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: { reason: { code: 'not-offered' } },
          outcomeTimestamp: '2026-11-20T09:02:00Z',
        },
      ],
    });
    expectOutcome(res, 400, 'invalid');
    expect(res.body.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual([
      'feedback.1.card',
      'feedback.2.acceptedSuggestions.0.id',
      'feedback.3.overrideReason.reason',
    ]);
    expect((await feedbackRows()).length).toBe(before);
    const fromOther = await send(
      { feedback: [{ card: card.uuid, outcome: 'overridden', outcomeTimestamp: '2026-11-20T09:00:00Z' }] },
      otherEhr,
    );
    expectOutcome(fromOther, 400, 'invalid');
    expect(fromOther.body.issue[0].details.text).toBe('feedback.0.card is not a card this service gave this EHR');
    const elsewhere = await send(
      { feedback: [{ card: card.uuid, outcome: 'overridden', outcomeTimestamp: '2026-11-20T09:00:00Z' }] },
      ehr,
      '/cds-services/bfr-order-check/feedback',
    );
    expect(elsewhere.body.issue[0].details.text).toContain('was given by the service bfr-screening');
  });

  it('refuses an acceptance without the suggestions taken, naming the field', async () => {
    const card = await issuedCard([{ ruleId: 'ci.pregnancy', version: 1 }], true);
    const res = await send({
      feedback: [{ card: card.uuid, outcome: 'accepted', outcomeTimestamp: '2026-11-20T09:00:00Z' }],
    });
    expectOutcome(res, 400, 'invalid');
    expect(res.body.issue[0]).toMatchObject({
      expression: ['feedback.0.acceptedSuggestions'],
      details: { text: 'feedback.0.acceptedSuggestions is required when the outcome is accepted' },
    });
  });
});
