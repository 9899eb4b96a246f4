import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/** The variables of one section of the configuration, as zod reads them. */
export type Variables = Record<string, z.ZodType>;

/** Records a problem with one environment variable; start-up refuses to go on. */
export type Problem<Variable extends string = string> = (variable: Variable, message: string) => void;

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** Key sets and EHR FHIR servers are reached over TLS; plain http only on this machine (development and tests). */
export const secureUrl = z.url({ protocol: /^https?$/ }).refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || isLoopback(url.hostname);
}, 'must be an https URL (http only for localhost)');

export const jsonText = z.string().transform((value, ctx): unknown => {
  try {
    return JSON.parse(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
    return z.NEVER;
  }
});

export const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be a comma-separated list of http(s) origins' })));

/** A PEM file named by a variable or option: it must be readable and hold what it is for. */
export const pemFile = (holds: 'certificate' | 'private key') =>
  z
    .string()
    .trim()
    .min(1)
    .transform((path, ctx) => {
      const file = resolve(path);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
        });
        return z.NEVER;
      }
      const marker = holds === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN (RSA |EC )?PRIVATE KEY-----/;
      if (!marker.test(text)) {
        ctx.addIssue({
          code: 'custom',
          message: `is not a PEM ${holds} file${holds === 'private key' ? ' (an unencrypted key is needed)' : ''}`,
        });
        return z.NEVER;
      }
      return file;
    });
