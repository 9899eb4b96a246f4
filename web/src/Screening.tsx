import { useState } from 'preact/hooks';

import { api, problemLines } from './api';
import { type ClearanceDraft, clearanceForRequest } from './clearance';
import { ClearanceFields } from './ClearanceFields';
import { useT } from './i18n';
import {
  type Answers,
  helpText,
  isEnabled,
  optionCodes,
  optionLabel,
  type Questionnaire,
  type QuestionnaireItem,
  questionText,
  requestFromAnswers,
} from './questionnaire';
import { useLiveVerdict, VerdictPanel } from './Verdict';

export interface ScreeningDraft {
  answers: Answers;
  clearance: ClearanceDraft;
}

/** The questionnaire's clearances group: the form records a clearance against the findings it shows instead. */
const CLEARANCES = 'clearances';

/** The screening part of a request: the questionnaire's answers and the recorded clearance. */
export function screeningBody(questionnaire: Questionnaire, draft: ScreeningDraft): Record<string, unknown> {
  const items = questionnaire.item.filter((item) => item.linkId !== CLEARANCES);
  const body = requestFromAnswers(items, draft.answers);
  const clearances = clearanceForRequest(draft.clearance);
  return clearances ? { ...body, clearances } : body;
}

/** A question with coded answers: yes/no/unknown as radio buttons, longer lists as a drop-down. */
function ChoiceField({
  item,
  id,
  value,
  help,
  helpId,
  onChange,
}: {
  item: QuestionnaireItem;
  id: string;
  value: string;
  help: string | null;
  helpId: string | undefined;
  onChange: (linkId: string, value: string) => void;
}) {
  const codes = optionCodes(item);
  const yesNo = codes.every((code) => ['yes', 'no', 'unknown'].includes(code));
  if (yesNo) {
    return (
      <fieldset class="question" aria-describedby={helpId}>
        <legend>{questionText(item)}</legend>
        {help && (
          <p class="help" id={helpId}>
            {help}
          </p>
        )}
        <div class="choices">
          {codes.map((code) => (
            <label key={code} class={`choice ${value === code ? 'chosen' : ''}`}>
              <input
                type="radio"
                name={id}
                value={code}
                checked={value === code}
                onChange={() => onChange(item.linkId, code)}
              />
              {optionLabel(item, code)}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }
  return (
    <div class="field">
      <label for={id}>{questionText(item)}</label>
      <select
        id={id}
        value={value}
        aria-describedby={helpId}
        required={item.required}
        onChange={(e) => onChange(item.linkId, e.currentTarget.value)}
      >
        <option value="">—</option>
        {codes.map((code) => (
          <option key={code} value={code}>
            {optionLabel(item, code)}
          </option>
        ))}
      </select>
      {help && (
        <p class="help" id={helpId}>
          {help}
        </p>
      )}
    </div>
  );
}

function Field({
  item,
  scope,
  onChange,
  idPrefix,
}: {
  item: QuestionnaireItem;
  scope: Answers;
  onChange: (linkId: string, value: string) => void;
  idPrefix: string;
}) {
  const id = `${idPrefix}${item.linkId}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const value = (scope[item.linkId] as string | undefined) ?? '';
  const help = helpText(item);
  const helpId = help ? `${id}-help` : undefined;
  if (item.type === 'choice') {
    return <ChoiceField item={item} id={id} value={value} help={help} helpId={helpId} onChange={onChange} />;
  }
  const inputType = (
    item.type === 'date' ? 'date' : item.type === 'decimal' || item.type === 'integer' ? 'number' : 'text'
  ) as 'text';
  return (
    <div class="field">
      <label for={id}>{questionText(item)}</label>
      {item.type === 'text' ? (
        <textarea
          id={id}
          value={value}
          aria-describedby={helpId}
          onInput={(e) => onChange(item.linkId, e.currentTarget.value)}
        />
      ) : (
        <input
          id={id}
          type={inputType}
          step={item.type === 'decimal' ? 'any' : undefined}
          value={value}
          maxLength={item.maxLength}
          required={item.required}
          aria-describedby={helpId}
          onInput={(e) => onChange(item.linkId, e.currentTarget.value)}
        />
      )}
      {help && (
        <p class="help" id={helpId}>
          {help}
        </p>
      )}
    </div>
  );
}

function Items({
  items,
  scope,
  onChange,
  idPrefix,
}: {
  items: QuestionnaireItem[];
  scope: Answers;
  onChange: (linkId: string, value: string) => void;
  idPrefix: string;
}) {
  return (
    <>
      {items
        .filter((item) => isEnabled(item, scope))
        .map((item) =>
          item.type === 'group' ? (
            <fieldset key={item.linkId} class="group">
              <legend>{item.text}</legend>
              <Items items={item.item ?? []} scope={scope} onChange={onChange} idPrefix={idPrefix} />
            </fieldset>
          ) : item.type === 'display' ? null : (
            <Field key={item.linkId} item={item} scope={scope} onChange={onChange} idPrefix={idPrefix} />
          ),
        )}
    </>
  );
}

export function ScreeningForm({
  questionnaire,
  draft,
  onDraft,
  onContinue,
}: {
  questionnaire: Questionnaire;
  draft: ScreeningDraft;
  onDraft: (draft: ScreeningDraft) => void;
  onContinue: () => void;
}) {
  const t = useT();
  const [stored, setStored] = useState<string | null>(null);
  const body = screeningBody(questionnaire, draft);
  const { outcome, checking, problems, setProblems } = useLiveVerdict(body);

  const setAnswer = (linkId: string, value: string) =>
    onDraft({ ...draft, answers: { ...draft.answers, [linkId]: value } });
  const limbsItem = questionnaire.item.find((item) => item.type === 'group' && item.repeats);
  const sites = (draft.answers[limbsItem?.linkId ?? ''] as Answers[] | undefined) ?? [];
  const setSites = (next: Answers[]) =>
    limbsItem && onDraft({ ...draft, answers: { ...draft.answers, [limbsItem.linkId]: next } });
  const referFindings = (outcome?.findings ?? []).filter((f) => f.verdict === 'refer' || f.cleared);
  const clearance = draft.clearance;
  const setClearance = (patch: Partial<ClearanceDraft>) => onDraft({ ...draft, clearance: { ...clearance, ...patch } });

  const store = async () => {
    try {
      const saved = await api<{ id: string }>('POST', '/v1/screenings', body);
      setStored(saved.id);
    } catch (error) {
      setProblems(problemLines(error));
    }
  };

  return (
    <div class="two-columns">
      <form class="screening-form" onSubmit={(e) => e.preventDefault()} aria-labelledby="screening-title">
        <h2 id="screening-title">{t('screening')}</h2>
        <p class="note">{t('unknownNote')}</p>
        {questionnaire.item
          .filter((item) => item.linkId !== CLEARANCES && isEnabled(item, draft.answers))
          .map((item) =>
            item === limbsItem ? (
              <fieldset key={item.linkId} class="group">
                <legend>{item.text}</legend>
                {sites.map((site, i) => (
                  <fieldset key={i} class="group site">
                    <legend>{t('site', { n: i + 1 })}</legend>
                    <Items
                      items={item.item ?? []}
                      scope={site}
                      idPrefix={`site${i}-`}
                      onChange={(linkId, value) =>
                        setSites(sites.map((s, j) => (j === i ? { ...s, [linkId]: value } : s)))
                      }
                    />
                    {sites.length > 1 && (
                      <button type="button" class="secondary" onClick={() => setSites(sites.filter((_, j) => j !== i))}>
                        {t('removeSite')}
                      </button>
                    )}
                  </fieldset>
                ))}
                {sites.length < 4 && (
                  <button type="button" class="secondary" onClick={() => setSites([...sites, {}])}>
                    {t('addSite')}
                  </button>
                )}
              </fieldset>
            ) : item.type === 'group' ? (
              <fieldset key={item.linkId} class="group">
                <legend>{item.text}</legend>
                <Items items={item.item ?? []} scope={draft.answers} onChange={setAnswer} idPrefix="" />
              </fieldset>
            ) : (
              <Items key={item.linkId} items={[item]} scope={draft.answers} onChange={setAnswer} idPrefix="" />
            ),
          )}
        {(referFindings.length > 0 || clearance.findings.length > 0) && (
          <ClearanceFields referFindings={referFindings} clearance={clearance} onClearance={setClearance} />
        )}
      </form>
      <VerdictPanel
        outcome={outcome}
        checking={checking}
        problems={problems}
        stored={stored}
        onStore={store}
        onContinue={onContinue}
      />
    </div>
  );
}
