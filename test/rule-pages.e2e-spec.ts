import request from 'supertest';

import { fhirMapping } from '../src/ehr/fhir/fhir-mapping';
import { lopPositions } from '../src/prescription/lop-positions';
import { RuleCatalogue } from '../src/rules/catalogue';
import { escapeHtml } from '../src/rules/rule-page';
import { startTestApp, type TestApp } from './test-app';

const BASE_URL = 'https://bfr.clinic.example';

describe('rule pages', () => {
  let sut: TestApp;
  let catalogue: RuleCatalogue;

  beforeAll(async () => {
    sut = await startTestApp({ PUBLIC_BASE_URL: BASE_URL });
    catalogue = sut.app.get(RuleCatalogue);
  });

  afterAll(async () => {
    await sut.close();
  });

  it('opens every rule without a token, as HTML with its version, rule set version and every source', async () => {
    for (const { rule } of catalogue.allRules()) {
      const res = await request(sut.http).get(`/rules/${rule.id}`);
      expect({ id: rule.id, status: res.status, type: res.headers['content-type'] }).toEqual({
        id: rule.id,
        status: 200,
        type: 'text/html; charset=utf-8',
      });
      expect(res.text).toContain(`<code>${rule.id}</code>, version ${rule.version}`);
      expect(res.text).toContain(catalogue.version);
      for (const evidence of rule.evidence) {
        expect(res.text).toContain(escapeHtml(evidence.source));
      }
    }
  });

  it('opens every entry of the FHIR mapping the same way: the EHR records a card cites were read by them', async () => {
    for (const entry of fhirMapping.sourced!(catalogue.table(fhirMapping)).entries) {
      const res = await request(sut.http).get(`/rules/${entry.id}`);
      expect({ id: entry.id, status: res.status }).toEqual({ id: entry.id, status: 200 });
      expect(res.text).toContain(`<code>${entry.id}</code>, version ${entry.version}`);
      expect(res.text).toContain(escapeHtml(entry.rationale));
      for (const evidence of entry.evidence) {
        expect(res.text).toContain(escapeHtml(evidence.source));
      }
    }
  });

  it('lists every rule and mapping entry with a link to its page, and one ruleset when asked', async () => {
    const all = await request(sut.http).get('/rules').expect(200);
    expect(all.headers['content-type']).toBe('text/html; charset=utf-8');
    const links = [...all.text.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    const entries = [
      ...lopPositions.sourced!(catalogue.table(lopPositions)).entries,
      ...fhirMapping.sourced!(catalogue.table(fhirMapping)).entries,
    ];
    expect(links).toEqual(
      [...catalogue.allRules().map(({ rule }) => rule.id), ...entries.map((entry) => entry.id)].map(
        (id) => `${BASE_URL}/rules/${id}`,
      ),
    );
    const screening = await request(sut.http).get('/rules?ruleset=screening').expect(200);
    expect([...screening.text.matchAll(/href="([^"]+)"/g)]).toHaveLength(catalogue.ruleset('screening')!.rules.length);
  });

  it('answers an unknown rule 404 with an HTML page naming it, and a malformed id 400 as a problem document', async () => {
    const missing = await request(sut.http).get('/rules/ci.no-such-rule');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(missing.text).toContain('<code>ci.no-such-rule</code>');
    expect(missing.text).toContain(`<a href="${BASE_URL}/rules">All rules</a>`);
    const malformed = await request(sut.http).get(`/rules/${encodeURIComponent('<script>')}`);
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(malformed.body.errors[0]).toMatchObject({ in: 'path', field: 'id' });
  });

  it('is served with the security headers of the API: nothing loads from elsewhere', async () => {
    const res = await request(sut.http).get('/rules/ci.vte-history');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('rule pages under the rate limit', () => {
  it('answers 429 once the rate limit is reached, like every route', async () => {
    const sut = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        statuses.push((await request(sut.http).get('/rules/ci.vte-history')).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await sut.close();
    }
  });
});
