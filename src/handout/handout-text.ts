import { z } from 'zod';

import type { RuleCatalogue } from '../rules/catalogue';
import type { CatalogueCheck, CrossCheckProblem, DataSpec } from '../rules/data-spec';
import { exerciseCatalogue } from '../prescription/exercise-catalogue';

export const LANGUAGES = ['en', 'es'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

const Text = z.strictObject({ en: z.string().trim().min(1), es: z.string().trim().min(1) });

/** The fixed wording of the handout, each key in every language. */
export const HANDOUT_KEYS = [
  'documentTitle',
  'draftMark',
  'patientLabel',
  'clinicianLabel',
  'dateLabel',
  'statusLabel',
  'statusApproved',
  'statusDraft',
  'rulesetFooter',
  'pageFooter',
  'whatIsBfrHeading',
  'whatIsBfr',
  'yourPlanHeading',
  'exerciseColumn',
  'cuffPlaceColumn',
  'cuffSettingColumn',
  'loadColumn',
  'repsColumn',
  'restColumn',
  'tempoColumn',
  'left',
  'right',
  'cuffPlaceThigh',
  'cuffPlaceUpperArm',
  'cuffSetting',
  'firstSessionSetting',
  'rampSetting',
  'loadKg',
  'loadPercent',
  'loadBodyWeight',
  'loadNone',
  'bouts',
  'restSeconds',
  'tempo',
  'notApplicable',
  'howToDoItHeading',
  'scheduleHeading',
  'sessionsPerWeekRange',
  'sessionsPerWeekExact',
  'hoursBetween',
  'programWeeks',
  'reperfusion',
  'firstSession',
  'progressionHeading',
  'progressionCeiling',
  'notesHeading',
  'clearedNote',
  'checklistHeading',
  'checklist',
  'stopHeading',
  'stop',
  'urgentHeading',
  'urgent',
  'neverHeading',
  'never',
  'logHeading',
  'logIntro',
  'logWeekColumn',
  'logDateColumn',
  'logDoneColumn',
  'logPressureColumn',
  'logPainColumn',
  'logNotesColumn',
  'contactHeading',
  'contactIntro',
  'contactPhone',
  'contactEmail',
  'contactBlank',
] as const;
export type HandoutKey = (typeof HANDOUT_KEYS)[number];

/** Keys whose text is a list of items, one per line of the `en` and `es` strings. */
export const LIST_KEYS: readonly HandoutKey[] = ['checklist', 'stop', 'urgent', 'never'];

export const HandoutTextFile = z
  .strictObject({
    $schema: z.string().optional(),
    title: z.string().trim().min(3),
    description: z.string().trim().min(10),
    texts: z.strictObject(
      Object.fromEntries(HANDOUT_KEYS.map((key) => [key, Text])) as Record<HandoutKey, typeof Text>,
    ),
    /** Spanish for every patient-facing string of the other rules data, keyed by its English. */
    translations: z.record(z.string().min(1), z.strictObject({ es: z.string().trim().min(1) })),
  })
  .superRefine((file, ctx) => {
    const placeholders = (text: string) =>
      [...text.matchAll(/\{([a-z]+)\}/gi)]
        .map((m) => m[1])
        .sort()
        .join(',');
    for (const key of HANDOUT_KEYS) {
      if (placeholders(file.texts[key].en) !== placeholders(file.texts[key].es)) {
        ctx.addIssue({
          code: 'custom',
          path: ['texts', key, 'es'],
          message: `must use the same {placeholders} as the English (${placeholders(file.texts[key].en) || 'none'})`,
        });
      }
    }
    for (const key of LIST_KEYS) {
      const [en, es] = [file.texts[key].en.split('\n').length, file.texts[key].es.split('\n').length];
      if (en !== es) {
        ctx.addIssue({
          code: 'custom',
          path: ['texts', key],
          message: `has ${en} English items and ${es} Spanish items`,
        });
      }
    }
  });
export type HandoutTextFile = z.infer<typeof HandoutTextFile>;

/** `rules-data/handout.data.json`. */
export const handoutText: DataSpec<HandoutTextFile> = { name: 'handout', schema: HandoutTextFile };

/** Every patient-facing string of the rules data, with where it comes from. */
export function patientStrings(
  catalogue: RuleCatalogue,
): Array<{ file: string; rule?: string; field: string; text: string }> {
  const found: Array<{ file: string; rule?: string; field: string; text: string }> = [];
  catalogue.table(exerciseCatalogue).exercises.forEach((exercise, i) => {
    found.push({ file: 'exercises.data.json', field: `exercises.${i}.patientName`, text: exercise.patientName });
    found.push({ file: 'exercises.data.json', field: `exercises.${i}.instructions`, text: exercise.instructions });
  });
  const visit = (value: unknown, path: string[], file: string, rule: string) => {
    if (value === null || typeof value !== 'object') {
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === 'patientMessage' && typeof child === 'string') {
        found.push({ file, rule, field: [...path, key].join('.'), text: child });
      } else {
        visit(child, [...path, key], file, rule);
      }
    }
  };
  for (const { ruleset, rule } of catalogue.allRules()) {
    visit(rule.event, ['event'], catalogue.ruleset(ruleset)!.file, rule.id);
  }
  return found;
}

/** Every patient-facing string must have its Spanish, so a handout never falls back to English. */
export const translationsComplete: CatalogueCheck = (catalogue) => {
  const { translations } = catalogue.table(handoutText);
  const problems: CrossCheckProblem[] = [];
  const reported = new Set<string>();
  for (const { file, rule, field, text } of patientStrings(catalogue)) {
    if (!translations[text] && !reported.has(text)) {
      reported.add(text);
      problems.push({
        file,
        rule,
        field,
        message: `has no Spanish in handout.data.json translations: ${JSON.stringify(text)}`,
      });
    }
  }
  return problems;
};
