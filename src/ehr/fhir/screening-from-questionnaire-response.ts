import type { Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';

import type { FieldError } from '../../common/problem';
import { ScreeningRequest } from '../../screening/screening.schema';
import type {
  QuestionnaireResponse,
  QuestionnaireResponseAnswer,
  QuestionnaireResponseItem,
} from './questionnaire-response.schema';

type Target = Record<string, unknown>;

const fieldError = (field: string, pointer: string, detail: string): FieldError => ({
  in: 'body',
  field,
  pointer,
  detail,
});

function setAt(target: Target, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  target[head] ??= {};
  setAt(target[head] as Target, rest, value);
}

/** The answer's value as the screening request holds it, or why it does not fit the question. */
function valueOf(def: QuestionnaireItem, answer: QuestionnaireResponseAnswer): { value?: unknown; problem?: string } {
  switch (def.type) {
    case 'choice': {
      const allowed = (def.answerOption ?? []).map((o) => o.valueCoding!);
      const picked = answer.valueCoding;
      const match = picked && allowed.find((c) => c.system === picked.system && c.code === picked.code);
      return match
        ? { value: match.code }
        : { problem: `needs valueCoding ${allowed[0].system}|${allowed.map((c) => c.code).join(', ')}` };
    }
    case 'date':
      return answer.valueDate !== undefined ? { value: answer.valueDate } : { problem: 'needs valueDate (YYYY-MM-DD)' };
    case 'integer':
      return answer.valueInteger !== undefined ? { value: answer.valueInteger } : { problem: 'needs valueInteger' };
    case 'decimal': {
      const value = answer.valueDecimal ?? answer.valueInteger;
      return value !== undefined ? { value } : { problem: 'needs valueDecimal' };
    }
    default:
      return answer.valueString !== undefined ? { value: answer.valueString } : { problem: 'needs valueString' };
  }
}

interface Walk {
  errors: FieldError[];
  /** Where in the body each request field was answered, by dotted request path. */
  pointers: Map<string, string>;
}

function walk(
  items: readonly QuestionnaireResponseItem[],
  defs: readonly QuestionnaireItem[],
  parent: { linkId: string; path: string[] } | null,
  at: string,
  target: Target,
  state: Walk,
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const pointer = `${at}/${i}`;
    const def = defs.find((d) => d.linkId === item.linkId);
    if (!def) {
      state.errors.push(
        fieldError(
          item.linkId,
          `${pointer}/linkId`,
          parent ? `is not an item of the group ${parent.linkId}` : 'is not a top-level item of the questionnaire',
        ),
      );
      return;
    }
    const key = (parent ? item.linkId.slice(parent.linkId.length + 1) : item.linkId).split('.');
    if (seen.has(item.linkId) && !def.repeats) {
      state.errors.push(fieldError(item.linkId, pointer, 'is given twice; the questionnaire does not repeat it'));
      return;
    }
    seen.add(item.linkId);
    if (def.type === 'group') {
      if (item.answer?.length) {
        state.errors.push(fieldError(item.linkId, `${pointer}/answer`, 'is a group: answer its items instead'));
        return;
      }
      const group: Target = {};
      let path = [...(parent?.path ?? []), ...key];
      if (def.repeats) {
        const existing = key.length === 1 ? target[key[0]] : undefined;
        const list = (Array.isArray(existing) ? existing : []) as Target[];
        path = [...path, String(list.length)];
        list.push(group);
        setAt(target, key, list);
      } else {
        setAt(target, key, group);
      }
      state.pointers.set(path.join('.'), pointer);
      walk(item.item ?? [], def.item ?? [], { linkId: item.linkId, path }, `${pointer}/item`, group, state);
      return;
    }
    if (item.item?.length) {
      state.errors.push(fieldError(item.linkId, `${pointer}/item`, 'is a question: it has no items'));
      return;
    }
    const answers = item.answer ?? [];
    if (answers.length === 0) {
      return;
    }
    if (answers.length > 1 && !def.repeats) {
      state.errors.push(fieldError(item.linkId, `${pointer}/answer`, 'takes one answer'));
      return;
    }
    const values = answers.map((answer, j) => ({ j, ...valueOf(def, answer) }));
    const refused = values.filter((v) => v.problem);
    if (refused.length > 0) {
      refused.forEach((v) => state.errors.push(fieldError(item.linkId, `${pointer}/answer/${v.j}`, v.problem!)));
      return;
    }
    const path = [...(parent?.path ?? []), ...key].join('.');
    state.pointers.set(path, `${pointer}/answer/0`);
    // A repeating question answers a list: each answer is one entry.
    values.forEach((v) => state.pointers.set(`${path}.${v.j}`, `${pointer}/answer/${v.j}`));
    setAt(target, key, def.repeats ? values.map((v) => v.value) : values[0].value);
  });
}

/** The linkId of a request field: its dotted path without list indices. */
const linkIdOf = (path: ReadonlyArray<PropertyKey>) =>
  path
    .filter((p) => typeof p !== 'number')
    .map(String)
    .join('.');

/** The body location closest to a request field: its answer, else the group that should hold it. */
function pointerOf(path: ReadonlyArray<PropertyKey>, pointers: Map<string, string>): string {
  for (let n = path.length; n > 0; n--) {
    const found = pointers.get(path.slice(0, n).map(String).join('.'));
    if (found) {
      return found;
    }
  }
  return '/item';
}

/**
 * The screening request a QuestionnaireResponse to the screening questionnaire gives, or every
 * refused answer named by its linkId and located in the body. An unanswered question stays unknown,
 * exactly as an item left out of `POST /v1/screenings`.
 */
export function screeningFromQuestionnaireResponse(
  response: QuestionnaireResponse,
  questionnaire: Questionnaire,
): { request?: ScreeningRequest; errors: FieldError[] } {
  const [url, version] = response.questionnaire.split('|');
  if (url !== questionnaire.url || (version !== undefined && version !== questionnaire.version)) {
    return {
      errors: [
        fieldError(
          'questionnaire',
          '/questionnaire',
          `must be ${questionnaire.url} (optionally |${questionnaire.version}, the current version)`,
        ),
      ],
    };
  }
  const state: Walk = { errors: [], pointers: new Map() };
  const candidate: Target = { answers: {} };
  walk(response.item, questionnaire.item ?? [], null, '/item', candidate, state);
  if (state.errors.length > 0) {
    return { errors: state.errors };
  }
  const parsed = ScreeningRequest.safeParse(candidate);
  if (parsed.success) {
    return { request: parsed.data, errors: [] };
  }
  return {
    errors: parsed.error.issues.map((issue) => {
      const unknownKeys = (issue as { keys?: string[] }).keys;
      const path = unknownKeys?.length ? [...issue.path, unknownKeys[0]] : issue.path;
      return fieldError(linkIdOf(path) || 'item', pointerOf(path, state.pointers), issue.message);
    }),
  };
}
