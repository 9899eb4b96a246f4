declare module 'fontkit' {
  /** The part of fontkit (pdfkit's font engine) the tests read. */
  export function create(buffer: Buffer): { hasGlyphForCodePoint(codePoint: number): boolean };
}
