import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const RULES_DATA = resolve(__dirname, '..', 'rules-data');

/**
 * A copy of the real rules-data/ in a temporary folder, with an edit applied to one file, so a
 * test can show what a knowledge editor's mistake does.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rule files are edited as raw JSON
export function editedRulesData(file: string, edit: (content: any) => unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-rules-'));
  cpSync(RULES_DATA, dir, { recursive: true });
  const content = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const edited = edit(content) ?? content;
  writeFileSync(join(dir, file), typeof edited === 'string' ? edited : JSON.stringify(edited, null, 2));
  return dir;
}

/** Finds a rule of the screening file by id, for editing it in place. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rule files are edited as raw JSON
export function ruleById(content: { rules: Array<{ id: string }> }, id: string): any {
  const rule = content.rules.find((r) => r.id === id);
  if (!rule) {
    throw new Error(`no rule ${id} in the fixture`);
  }
  return rule;
}
