import { readFileSync } from 'node:fs';

import PDFDocument from 'pdfkit';

import { sfntFromWoff } from './sfnt-from-woff';

const woffOf = (weight: number) =>
  readFileSync(
    require.resolve(`@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-${weight}-normal.woff`),
  );

/** An uncompressed PDF of `text` in `font`, without its random file id. */
function pdfOf(font: Buffer, text: string): Promise<string> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ compress: false, info: { CreationDate: new Date(0) } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () =>
      resolve(
        Buffer.concat(chunks)
          .toString('latin1')
          .replace(/\/ID \[[^\]]*\]/, ''),
      ),
    );
    doc.registerFont('handout', font).font('handout').fontSize(12).text(text);
    doc.end();
  });
}

describe('sfntFromWoff', () => {
  it.each([400, 700])(
    'unpacks the weight-%i handout font into one that embeds byte for byte as the WOFF does',
    async (weight) => {
      const woff = woffOf(weight);
      const text = 'Cuff at 40 % of LOP — señal, pierna izquierda: 3 × 15 rápido; ¿dolor? ü ñ é 0123456789';
      expect(await pdfOf(sfntFromWoff(woff), text)).toBe(await pdfOf(woff, text));
    },
  );

  it('refuses a file that is not WOFF 1.0', () => {
    expect(() => sfntFromWoff(Buffer.from('not a font at all, but long enough to hold a WOFF header'))).toThrow(
      /not a WOFF 1.0 font/,
    );
  });
});
