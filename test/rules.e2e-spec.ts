import request from 'supertest';

import { screeningFacts } from './factories';
import { type Caller, startTestApp, type TestApp } from './test-app';

describe('rule catalogue API', () => {
  let sut: TestApp;
  let viewer: Caller;

  beforeAll(async () => {
    sut = await startTestApp();
    viewer = await sut.as('viewer');
  });

  afterAll(async () => {
    await sut.close();
  });

  describe('GET /v1/rules', () => {
    it('lists every rule with its evidence and the ruleset version', async () => {
      const res = await viewer.get('/v1/rules').expect(200);
      expect(res.body.rulesetVersion).toMatch(/^[0-9a-f]{64}$/);
      expect(res.body.rulesets.map((r: { name: string }) => r.name).sort()).toEqual([
        'dosing',
        'lop',
        'schedule',
        'screening',
        'screening-limb',
        'selection',
        'vte-points',
      ]);
      expect(res.body.rulesets.reduce((n: number, r: { ruleCount: number }) => n + r.ruleCount, 0)).toBe(
        res.body.rules.length,
      );
      for (const rule of res.body.rules) {
        expect(rule.evidence.length).toBeGreaterThan(0);
        expect(rule.rationale.length).toBeGreaterThan(0);
      }
      expect(res.body.rules.find((r: { id: string }) => r.id === 'ci.bp-severe')).toMatchObject({
        ruleset: 'screening',
        version: 1,
        outcome: { type: 'finding', params: { verdict: 'contraindicated' } },
        evidence: [{ level: 'confirmed', source: expect.stringContaining('Nascimento') }],
      });
    });

    it('filters by ruleset', async () => {
      const res = await viewer.get('/v1/rules?ruleset=vte-points').expect(200);
      expect(res.body.rules.every((r: { ruleset: string }) => r.ruleset === 'vte-points')).toBe(true);
      expect((await viewer.get('/v1/rules?ruleset=stretching').expect(200)).body.rules).toEqual([]);
    });

    it('refuses an unknown query parameter, so a typo is not read as "no filter"', async () => {
      const res = await viewer.get('/v1/rules?rulset=screening').expect(400);
      expect(res.body.errors).toEqual([
        { in: 'query', field: 'rulset', pointer: '/rulset', detail: 'is not a known field' },
      ]);
    });
  });

  describe('GET /v1/rules/{id}', () => {
    it('describes a rule in full, conditions included', async () => {
      const res = await viewer.get('/v1/rules/ci.age-under-14').expect(200);
      expect(res.body).toMatchObject({
        id: 'ci.age-under-14',
        ruleset: 'screening',
        priority: 1,
        conditions: { all: [{ name: 'younger-than-14', fact: 'ageYears', operator: 'lessThan', value: 14 }] },
      });
    });

    it('answers 404 for an unknown rule', async () => {
      const res = await viewer.get('/v1/rules/ci.no-such-rule').expect(404);
      expect(res.body.code).toBe('RULE_NOT_FOUND');
    });

    it('answers 400 naming the path parameter for a malformed id', async () => {
      const res = await viewer.get('/v1/rules/NOT%20AN%20ID').expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ in: 'path', field: 'id' })]);
    });
  });

  describe('POST /v1/rules/evaluations', () => {
    it('returns the fired rules with evidence and the trace of every rule', async () => {
      const res = await viewer
        .post('/v1/rules/evaluations', {
          ruleset: 'screening',
          facts: screeningFacts({
            ageYears: 52,
            sex: 'female',
            pregnant: 'unknown',
            systolicBp: 178,
            diastolicBp: 112,
          }),
        })
        .expect(200);
      expect(res.body.fired.map((f: { ruleId: string }) => f.ruleId)).toEqual(['ci.bp-severe', 'ask.pregnant']);
      expect(res.body.fired[0].evidence[0].source).toContain('Nascimento');
      expect(res.body.trace.find((t: { ruleId: string }) => t.ruleId === 'ci.bp-severe').conditions[1]).toEqual({
        name: 'diastolic-at-or-above-110',
        fact: 'diastolicBp',
        operator: 'greaterThanInclusive',
        factValue: 112,
        comparedValue: 110,
        result: true,
      });
    });

    it('refuses a ruleset it does not run', async () => {
      const res = await viewer.post('/v1/rules/evaluations', { ruleset: 'astrology', facts: {} }).expect(400);
      expect(res.body.errors[0]).toMatchObject({ field: 'ruleset' });
    });
  });

  describe('GET /problems/{type}', () => {
    it('resolves the type URI of a problem document', async () => {
      const problem = (await viewer.get('/v1/rules/ci.no-such-rule')).body;
      const path = new URL(problem.type).pathname;
      const res = await request(sut.http).get(path).expect(200);
      expect(res.body).toMatchObject({ code: 'RULE_NOT_FOUND', status: 404, title: problem.title });
    });

    it('answers 404 for a type it does not know', async () => {
      await request(sut.http).get('/problems/not-a-problem').expect(404);
    });
  });
});
