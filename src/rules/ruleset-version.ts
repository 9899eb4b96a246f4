import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so layout and key order never change a hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The ruleset version: sha256 over the canonical content of every data file that shapes an
 * answer, in file-name order. Golden cases are left out: they check the rules, they do not change
 * what the rules say.
 */
export function rulesetVersion(files: ReadonlyArray<{ name: string; content: unknown }>): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    hash.update(`${file.name}\n${canonicalJson(file.content)}\n`);
  }
  return hash.digest('hex');
}
