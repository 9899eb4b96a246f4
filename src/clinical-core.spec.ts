import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/**
 * The packages a fresh Node process resolves while it loads `modules`: every `require` goes through
 * the resolver, including those of packages Node loads as ES modules, so none is missed.
 */
function packagesLoadedBy(modules: readonly string[]): string[] {
  const script = `
    const Module = require('node:module');
    const seen = new Set();
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (!request.startsWith('.') && !request.startsWith('node:') && !request.startsWith('/')) {
        seen.add(request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0]);
      }
      return resolve.call(this, request, ...rest);
    };
    for (const module of ${JSON.stringify(modules)}) require(module);
    process.stdout.write(JSON.stringify([...seen]));
  `;
  const out = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out) as string[];
}

const FRAMEWORK = (name: string) =>
  name.startsWith('@nestjs/') || name === 'typeorm' || name.startsWith('@fastify/') || name === 'fastify';

describe('the clinical core', () => {
  const loaded = packagesLoadedBy([
    './src/prescription/generate-plan',
    './src/screening/screen-patient',
    './src/rulesets',
  ]);

  it('loads generatePlan, screenPatient and the rule catalogue without Nest, Fastify or TypeORM', () => {
    expect(loaded.filter(FRAMEWORK)).toEqual([]);
  });

  it('is seen to load its own packages, so the check above can fail', () => {
    expect(loaded).toEqual(expect.arrayContaining(['zod', 'json-rules-engine']));
    expect(packagesLoadedBy(['./src/common/validation.pipe']).filter(FRAMEWORK)).toEqual(['@nestjs/common']);
  });
});
