import { z } from 'zod';

import type { DataSpec } from '../../rules/data-spec';

/** The languages the screening questionnaire is written in; English is the default and the source. */
export const QUESTIONNAIRE_LANGUAGES = ['en', 'es'] as const;
export const QuestionnaireLanguage = z.enum(QUESTIONNAIRE_LANGUAGES);
export type QuestionnaireLanguage = z.infer<typeof QuestionnaireLanguage>;

const Text = z.strictObject({ en: z.string().trim().min(1), es: z.string().trim().min(1) });

export const QuestionnaireTextFile = z.strictObject({
  $schema: z.string().optional(),
  title: z.string().trim().min(3),
  description: z.string().trim().min(10),
  /** Help shown under a question, by the question's linkId, in every language. */
  help: z.record(z.string().min(1), Text),
  /** The Spanish of every text of the questionnaire, keyed by its exact English. */
  translations: z.record(z.string().min(1), z.strictObject({ es: z.string().trim().min(1) })),
});
export type QuestionnaireTextFile = z.infer<typeof QuestionnaireTextFile>;

/** `rules-data/screening-questionnaire.data.json`. */
export const questionnaireText: DataSpec<QuestionnaireTextFile> = {
  name: 'screening-questionnaire',
  schema: QuestionnaireTextFile,
};

/**
 * The questionnaire language an `Accept-Language` header asks for: the supported language with the
 * highest weight (`es-ES` and `es-419` are Spanish), English when it names none or cannot be read.
 * A header only states a preference, so an unsupported one falls back rather than fails.
 */
export function languageFromHeader(header: string | undefined): QuestionnaireLanguage {
  let best: { lang: QuestionnaireLanguage; q: number } | null = null;
  for (const range of (header ?? '').split(',')) {
    const [tag, ...params] = range.trim().toLowerCase().split(';');
    const weight = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = weight === undefined ? 1 : Number(weight.slice(2));
    const lang = QuestionnaireLanguage.safeParse(tag.split('-')[0]);
    if (lang.success && Number.isFinite(q) && q > 0 && (best === null || q > best.q)) best = { lang: lang.data, q };
  }
  return best?.lang ?? 'en';
}
