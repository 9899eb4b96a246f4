import { readFileSync } from 'node:fs';

import * as fontkit from 'fontkit';
import type { Font, GlyphRun } from 'fontkit';
import PDFDocument from 'pdfkit';

import type { HandoutContent } from './handout-content';
import { sfntFromWoff } from './sfnt-from-woff';

/** Words laid out at most; past it the cache starts again, so free text cannot grow it without bound. */
const LAYOUT_CACHE_WORDS = 20_000;

/**
 * A font parsed once per process and shared by every handout, with the words it has laid out
 * remembered across documents: pdfkit remembers them per document only, and shaping a word with
 * the font's OpenType features was most of a handout's time after parsing.
 *
 * pdfkit writes a glyph's code points, as fontkit recorded them when it first made that glyph, into
 * the document's ToUnicode map (what copying and reading aloud use). Made lazily in a shared font,
 * a glyph first reached some other way (e.g. as a part of an accented letter while subsetting)
 * would carry none, and every later document would lose that letter's text. So every glyph of
 * the character map is made up front from its own code point, the lowest first.
 */
function sharedFont(woff: string): Font {
  const font = fontkit.create(sfntFromWoff(readFileSync(require.resolve(woff))));
  for (const codePoint of [...font.characterSet].sort((a, b) => a - b)) {
    font.glyphForCodePoint(codePoint);
  }
  const runs = new Map<string, GlyphRun>();
  const shared: Font = Object.create(font);
  shared.layout = (text, features) => {
    if (features !== undefined) return font.layout(text, features);
    let run = runs.get(text);
    if (run === undefined) {
      if (runs.size >= LAYOUT_CACHE_WORDS) runs.clear();
      run = font.layout(text);
      runs.set(text, run);
    }
    // pdfkit scales the positions of the run it is given in place, so each caller gets its own.
    const positions = run.positions.map((position) => ({ ...position }));
    return {
      glyphs: run.glyphs,
      positions,
      get advanceWidth() {
        return positions.reduce((sum, position) => sum + position.xAdvance, 0);
      },
    };
  };
  return shared;
}

/** Atkinson Hyperlegible, designed for low-vision readers, embedded (subset) in every handout. */
const FONTS = {
  regular: sharedFont('@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-400-normal.woff'),
  bold: sharedFont('@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-700-normal.woff'),
};

const SIZE = { body: 12, small: 11, h1: 20, h2: 15 } as const;
const MARGIN = 50;
const COLOR = { text: '#111111', warning: '#9b1c1c', muted: '#444444', rule: '#888888', draft: '#c0392b' } as const;

type Doc = PDFKit.PDFDocument;
type Struct = PDFKit.PDFStructureElement;

function heading(doc: Doc, parent: Struct, text: string, level: 'H1' | 'H2', color: string = COLOR.text): void {
  doc.moveDown(level === 'H1' ? 0 : 0.6);
  doc
    .font('bold')
    .fontSize(level === 'H1' ? SIZE.h1 : SIZE.h2)
    .fillColor(color);
  doc.text(text, { structParent: parent, structType: level });
  doc.font('regular').fontSize(SIZE.body).fillColor(COLOR.text);
  doc.moveDown(0.2);
}

function paragraph(doc: Doc, parent: Struct, text: string): void {
  doc
    .font('regular')
    .fontSize(SIZE.body)
    .fillColor(COLOR.text)
    .text(text, { structParent: parent, structType: 'P', lineGap: 3 });
  doc.moveDown(0.3);
}

function bulletList(doc: Doc, parent: Struct, items: readonly string[]): void {
  const list = doc.struct('L');
  parent.add(list);
  doc
    .font('regular')
    .fontSize(SIZE.body)
    .fillColor(COLOR.text)
    .list([...items], { structParent: list, lineGap: 3, bulletRadius: 2.5, textIndent: 14, paragraphGap: 3 });
  list.end();
  doc.x = MARGIN;
  doc.moveDown(0.3);
}

/** A section that must stay in one piece: starts a new page when less than `minimum` points are left. */
function section(doc: Doc, root: Struct, minimum: number): Struct {
  if (doc.y + minimum > doc.page.height - doc.page.margins.bottom) {
    doc.addPage();
  }
  const sect = doc.struct('Sect');
  root.add(sect);
  return sect;
}

function table(
  doc: Doc,
  parent: Struct,
  header: readonly string[],
  rows: readonly string[][],
  widths: readonly number[],
  rowHeight = 0,
): void {
  doc.font('regular').fontSize(SIZE.small);
  doc.table({
    structParent: parent,
    columnStyles: widths.map((width) => ({ width })),
    rowStyles: (row: number) => (row === 0 ? undefined : { minHeight: rowHeight }),
    defaultStyle: { padding: 4, border: 0.5, borderColor: COLOR.rule },
    data: [
      header.map((text) => ({
        text,
        type: 'TH' as const,
        scope: 'Column',
        font: { src: 'bold' },
        backgroundColor: '#e8eef5',
      })),
      ...rows.map((row) => row.map((text) => ({ text }))),
    ],
  } as PDFKit.Mixins.TableOptionsWithData);
  doc.x = MARGIN;
  doc.font('regular').fontSize(SIZE.body);
  doc.moveDown(0.5);
}

/** Page furniture drawn on every page once the content is laid out: not part of the reading order. */
function furnish(doc: Doc, content: HandoutContent): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.markContent('Artifact', { type: 'Pagination' });
    doc.font('regular').fontSize(SIZE.small).fillColor(COLOR.muted);
    const y = doc.page.height - 32;
    doc.text(content.footer.ruleset, MARGIN, y, { lineBreak: false });
    const page = content.footer.page.replace('{page}', String(i + 1)).replace('{pages}', String(range.count));
    doc.text(page, doc.page.width - MARGIN - doc.widthOfString(page), y, { lineBreak: false });
    doc.endMarkedContent();
    if (content.draftMark) {
      doc.markContent('Artifact', { type: 'Layout' });
      doc.save();
      doc.font('bold').fontSize(16).fillColor(COLOR.draft);
      doc.text(content.draftMark, MARGIN, 18, { lineBreak: false });
      const size = 56;
      doc.fontSize(size).fillOpacity(0.12);
      const across = doc.widthOfString(content.draftMark);
      doc.translate(doc.page.width / 2, doc.page.height / 2).rotate(-35);
      doc.text(content.draftMark, -across / 2, -size / 2, { lineBreak: false });
      doc.restore();
      doc.endMarkedContent();
    }
    doc.page.margins.bottom = bottom;
  }
}

/** An A4 tagged PDF with the handout's fonts registered, and the bytes it will have once ended. */
function handoutDocument(content: HandoutContent): { doc: Doc; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 10, left: MARGIN, right: MARGIN },
    bufferPages: true,
    tagged: true,
    lang: content.lang,
    displayTitle: true,
    pdfVersion: '1.7',
    // pdfkit has supported the PDF/UA subset since 0.15; @types/pdfkit lists only the PDF/A ones.
    subset: 'PDF/UA' as PDFKit.Mixins.PDFSubsets,
    info: { Title: content.title, Subject: content.plan.heading, Creator: 'bfr-rx' },
    autoFirstPage: false,
  });
  // pdfkit takes a parsed fontkit font as a source (@types/pdfkit lists only files and buffers).
  // Each is registered as its own family so that pdfkit, restoring the font after a table's bold
  // header cell, finds it by name instead of opening it again.
  doc.registerFont('regular', FONTS.regular as unknown as PDFKit.Mixins.PDFFontSource, 'regular');
  doc.registerFont('bold', FONTS.bold as unknown as PDFKit.Mixins.PDFFontSource, 'bold');
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

/**
 * Lays out a handout as a tagged PDF (PDF/UA subset): document title and language set, headings,
 * paragraphs, lists and tables as structure elements, page numbers and the draft mark as artifacts.
 */
export function renderHandout(content: HandoutContent): Promise<Buffer> {
  const { doc, done } = handoutDocument(content);
  doc.addPage();
  const root = doc.struct('Document');
  doc.addStructure(root);
  const width = doc.page.width - 2 * MARGIN;

  let sect = section(doc, root, 0);
  heading(doc, sect, content.title, 'H1');
  for (const fact of content.facts) {
    doc
      .font('bold')
      .fontSize(SIZE.body)
      .text(`${fact.label}: `, { continued: true, structParent: sect, structType: 'P' })
      .font('regular')
      .text(fact.value);
  }
  sect.end();

  sect = section(doc, root, 120);
  heading(doc, sect, content.stop.heading, 'H2', COLOR.warning);
  bulletList(doc, sect, content.stop.items);
  heading(doc, sect, content.urgent.heading, 'H2', COLOR.warning);
  bulletList(doc, sect, content.urgent.items);
  sect.end();

  sect = section(doc, root, 80);
  heading(doc, sect, content.whatIsBfr.heading, 'H2');
  paragraph(doc, sect, content.whatIsBfr.text);
  sect.end();

  sect = section(doc, root, 160);
  heading(doc, sect, content.plan.heading, 'H2');
  table(
    doc,
    sect,
    content.plan.header,
    content.plan.rows,
    [0.22, 0.2, 0.19, 0.13, 0.26].map((share) => share * width),
  );
  sect.end();

  sect = section(doc, root, 120);
  heading(doc, sect, content.howTo.heading, 'H2');
  for (const item of content.howTo.items) {
    doc.font('bold').fontSize(SIZE.body).text(item.name, { structParent: sect, structType: 'H3' });
    paragraph(doc, sect, item.text);
  }
  sect.end();

  for (const block of [content.schedule, content.progression, content.notes]) {
    if (block.lines.length === 0) continue;
    sect = section(doc, root, 90);
    heading(doc, sect, block.heading, 'H2');
    block.lines.forEach((line) => paragraph(doc, sect, line));
    sect.end();
  }

  for (const block of [content.checklist, content.never]) {
    sect = section(doc, root, 110);
    heading(doc, sect, block.heading, 'H2', block === content.never ? COLOR.warning : COLOR.text);
    bulletList(doc, sect, block.items);
    sect.end();
  }

  sect = section(doc, root, 100);
  heading(doc, sect, content.contact.heading, 'H2');
  content.contact.lines.forEach((line) => paragraph(doc, sect, line));
  sect.end();

  doc.addPage();
  sect = section(doc, root, 0);
  heading(doc, sect, content.log.heading, 'H2');
  paragraph(doc, sect, content.log.intro);
  // Rows tall enough to write in by hand.
  table(
    doc,
    sect,
    content.log.header,
    content.log.rows,
    [0.08, 0.14, 0.3, 0.16, 0.12, 0.2].map((share) => share * width),
    24,
  );
  sect.end();

  root.end();
  furnish(doc, content);
  doc.end();
  return done;
}
