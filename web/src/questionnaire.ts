/** The parts of a FHIR R4 Questionnaire the screening form is generated from. */
export interface QuestionnaireItem {
  linkId: string;
  text?: string;
  type: 'group' | 'string' | 'text' | 'date' | 'choice' | 'decimal' | 'integer' | 'boolean' | 'display';
  required?: boolean;
  repeats?: boolean;
  maxLength?: number;
  answerOption?: AnswerOption[];
  enableWhen?: Array<{
    question: string;
    operator: string;
    answerCoding?: { code: string };
    answerString?: string;
    answerBoolean?: boolean;
    answerInteger?: number;
    answerDecimal?: number;
  }>;
  enableBehavior?: 'all' | 'any';
  item?: QuestionnaireItem[];
  /** Help text: FHIR puts it in a child item of type display with the help item control. */
  extension?: unknown[];
}

export interface AnswerOption {
  valueCoding?: { code: string; display?: string };
  valueString?: string;
}

export interface Questionnaire {
  /** The language the service wrote it in (`?lang=`): its texts, help texts and answer displays. */
  language?: string;
  item: QuestionnaireItem[];
}

/** Answers by linkId; a repeating group (cuff sites) holds one answer set per repetition. */
export type Answers = Record<string, string | Answers[] | undefined>;

const HELP_ITEM_CONTROL = /help/;

/** The help text of an item: its display child marked as help, or a display child at all. */
export function helpText(item: QuestionnaireItem): string | null {
  const help = item.item?.find(
    (child) =>
      child.type === 'display' &&
      (HELP_ITEM_CONTROL.test(JSON.stringify(child.extension ?? [])) || child.linkId.endsWith('.help')),
  );
  return help?.text ?? null;
}

/** The service's reminder that a blank is unknown, in each language it writes the questionnaire in. */
const UNANSWERED_REMINDER = / \((left unanswered = unknown|sin respuesta = desconocido)\)$/;

/** The question without the service's reminder that a blank is unknown (the form says it once). */
export function questionText(item: QuestionnaireItem): string {
  return (item.text ?? item.linkId).replace(UNANSWERED_REMINDER, '');
}

export function optionCodes(item: QuestionnaireItem): string[] {
  return (item.answerOption ?? [])
    .map((option) => option.valueCoding?.code ?? option.valueString ?? '')
    .filter(Boolean);
}

/** What an answer option reads as in the questionnaire's language: its display, else its code. */
export function optionLabel(item: QuestionnaireItem, code: string): string {
  const option = (item.answerOption ?? []).find((o) => (o.valueCoding?.code ?? o.valueString) === code);
  return option?.valueCoding?.display ?? code;
}

/** FHIR enableWhen: whether an item is shown, given the answers so far (`all` unless `any`). */
export function isEnabled(item: QuestionnaireItem, answers: Answers): boolean {
  if (!item.enableWhen?.length) {
    return true;
  }
  const results = item.enableWhen.map((condition) => {
    const given = answers[condition.question];
    const answered = typeof given === 'string' && given !== '';
    if (condition.operator === 'exists') {
      return answered === (condition.answerBoolean ?? true);
    }
    const expected =
      condition.answerCoding?.code ??
      condition.answerString ??
      condition.answerBoolean ??
      condition.answerInteger ??
      condition.answerDecimal;
    const same = answered && String(given) === String(expected);
    return condition.operator === '!=' ? answered && !same : condition.operator === '=' ? same : false;
  });
  return item.enableBehavior === 'any' ? results.some(Boolean) : results.every(Boolean);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    node[key] = (node[key] as Record<string, unknown> | undefined) ?? {};
    node = node[key] as Record<string, unknown>;
  });
  node[path[path.length - 1]] = value;
}

function typed(item: QuestionnaireItem, raw: string): unknown {
  if (item.type === 'decimal' || item.type === 'integer') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }
  if (item.type === 'boolean') {
    return raw === 'true';
  }
  return raw;
}

/**
 * The request body the answers give: the questionnaire's linkIds are the request's field paths
 * (`patient.birthDate`, `limbs.findings.wound`), so the body follows the questionnaire, not this
 * code. Unanswered and hidden items are left out (the service counts a left-out item as unknown);
 * a group with required items is left out until one of its items is answered.
 */
export function requestFromAnswers(items: QuestionnaireItem[], answers: Answers, prefix = ''): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const walk = (list: QuestionnaireItem[], scope: Answers) => {
    for (const item of list) {
      if (!isEnabled(item, scope) || item.type === 'display') continue;
      const path = (prefix && item.linkId.startsWith(prefix) ? item.linkId.slice(prefix.length) : item.linkId).split(
        '.',
      );
      if (item.type === 'group' && item.repeats) {
        const repetitions = (scope[item.linkId] as Answers[] | undefined) ?? [];
        setPath(
          body,
          path,
          repetitions.map((repetition) => requestFromAnswers(item.item ?? [], repetition, `${item.linkId}.`)),
        );
      } else if (item.type === 'group') {
        // A group of optional items (the screening answers) is there even when empty: its blanks are unknowns.
        if (!(item.item ?? []).some((child) => child.required)) setPath(body, path, {});
        walk(item.item ?? [], scope);
      } else {
        const raw = scope[item.linkId];
        if (typeof raw === 'string' && raw.trim() !== '') setPath(body, path, typed(item, raw.trim()));
      }
    }
  };
  walk(items, answers);
  return body;
}
