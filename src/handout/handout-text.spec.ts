import { readFileSync } from 'node:fs';

import { create } from 'fontkit';

import { RULES_DATA } from '../../test/rules-fixtures';
import { loadRuleCatalogue } from '../rulesets';
import { handoutText, patientStrings } from './handout-text';

const catalogue = loadRuleCatalogue(RULES_DATA);

describe('handout wording', () => {
  it('has a glyph in the embedded font for every character it can print, in both languages', () => {
    const { texts, translations } = catalogue.table(handoutText);
    const printed = [
      ...Object.values(texts).flatMap((t) => [t.en, t.es]),
      ...patientStrings(catalogue).map((s) => s.text),
      ...Object.values(translations).map((t) => t.es),
    ].join('');
    for (const weight of ['400', '700']) {
      const font = create(
        readFileSync(
          require.resolve(`@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-${weight}-normal.woff`),
        ),
      );
      const missing = [...new Set(printed.replace(/\s/g, ''))].filter(
        (c) => !font.hasGlyphForCodePoint(c.codePointAt(0)!),
      );
      expect(missing).toEqual([]);
    }
  });
});
