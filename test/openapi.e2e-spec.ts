import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import request from 'supertest';

import { FixedClock } from '../src/common/clock';
import { OPENAPI_EXAMPLE_DAY } from '../src/openapi-examples';
import { startTestApp, type TestApp } from './test-app';

type Schema = {
  $ref?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};

/** Properties in the document that carry no description, directly or through the schema they reference. */
function undescribed(components: Record<string, Schema>): string[] {
  const described = (schema: Schema): boolean => {
    const ref = schema.$ref ?? schema.allOf?.[0]?.$ref;
    return Boolean(schema.description) || Boolean(ref && components[ref.split('/').pop()!]?.description);
  };
  const missing: string[] = [];
  const walk = (schema: Schema, at: string) => {
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (!described(property)) {
        missing.push(`${at}.${name}`);
      }
      for (const inner of [property, property.items, ...(property.anyOf ?? []), ...(property.oneOf ?? [])]) {
        if (inner) {
          walk(inner, `${at}.${name}`);
        }
      }
    }
  };
  for (const [name, schema] of Object.entries(components)) {
    walk(schema, name);
  }
  return missing;
}

describe('OpenAPI document', () => {
  let sut: TestApp;
  let served: { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, Schema> } };

  beforeAll(async () => {
    sut = await startTestApp({}, { clock: new FixedClock(new Date(`${OPENAPI_EXAMPLE_DAY}T09:30:00Z`)) });
    served = (await request(sut.http).get('/docs-json').expect(200)).body;
  });

  afterAll(async () => {
    await sut.close();
  });

  it('matches the committed openapi.json (run `npm run openapi:write` after changing the API)', () => {
    const committed = JSON.parse(readFileSync(resolve(__dirname, '..', 'openapi.json'), 'utf8'));
    expect(served).toEqual(committed);
  });

  it('is an OpenAPI 3 document with the public endpoints', () => {
    expect(served.openapi).toMatch(/^3\./);
    expect(Object.keys(served.paths)).toEqual(
      expect.arrayContaining(['/v1/rules', '/v1/rules/{id}', '/v1/rules/evaluations', '/health', '/problems/{type}']),
    );
  });

  it('is valid against the OpenAPI 3.0 schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-openapi-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(served));
      // The validator is an ES module; its own command line runs it outside jest's CommonJS world.
      const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
      const result = spawnSync(process.execPath, [cli, join(dir, 'openapi.json')], { encoding: 'utf8' });
      expect(JSON.parse(result.stdout)).toEqual({ valid: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes every field of every schema', () => {
    expect(undescribed(served.components.schemas)).toEqual([]);
  });

  it('documents error answers as problem+json', () => {
    const evaluate = served.paths['/v1/rules/evaluations'] as {
      post: { responses: Record<string, { content: object }> };
    };
    expect(Object.keys(evaluate.post.responses['400'].content)).toEqual(['application/problem+json']);
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await request(sut.http).get('/docs').redirects(1);
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger-ui');
  });
});
