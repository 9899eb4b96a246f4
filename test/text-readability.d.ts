declare module 'text-readability' {
  /** Flesch-Kincaid grade level of an English text. */
  const readability: { fleschKincaidGrade(text: string): number };
  export default readability;
}
