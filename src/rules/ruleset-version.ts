import { createHash } from 'node:crypto';

import { canonicalJson } from '../common/canonical-json';

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
