// fontkit (pdfkit's font engine) ships no type declarations; this covers the part the handout and its tests use.
declare module 'fontkit' {
  interface Glyph {
    id: number;
    codePoints: number[];
  }

  /** A text's glyphs after the font's substitutions, and how far each moves the pen (font units). */
  interface GlyphRun {
    glyphs: Glyph[];
    positions: Array<{ xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }>;
  }

  interface Font {
    /** Every code point the font's character map has a glyph for. */
    characterSet: number[];
    hasGlyphForCodePoint(codePoint: number): boolean;
    glyphForCodePoint(codePoint: number): Glyph;
    layout(text: string, features?: unknown): GlyphRun;
  }

  export function create(buffer: Buffer): Font;
}
