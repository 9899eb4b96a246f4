import { useEffect, useRef, useState } from 'preact/hooks';

import { api, problemLines } from './api';
import { EvidenceList } from './Basis';
import { type ClearanceDraft, clearanceForRequest } from './clearance';
import { usePatientText, useT } from './i18n';
import { type Answers, helpText, isEnabled, optionCodes, optionLabel, type Questionnaire, type QuestionnaireItem, questionText, requestFromAnswers } from './questionnaire';
import type { ScreeningOutcome } from './types';

export interface ScreeningDraft {
  answers: Answers;
  clearance: ClearanceDraft;
}

/** The screening part of a request: the questionnaire's answers and the recorded clearance. */
export function screeningBody(questionnaire: Questionnaire, draft: ScreeningDraft): Record<string, unknown> {
  const items = questionnaire.item.filter((item) => item.linkId !== 'clearance');
  const body = requestFromAnswers(items, draft.answers);
  const clearance = clearanceForRequest(draft.clearance);
  return clearance ? { ...body, clearance } : body;
}

const DEBOUNCE_MS = 400;

function Field({ item, scope, onChange, idPrefix }: { item: QuestionnaireItem; scope: Answers; onChange: (linkId: string, value: string) => void; idPrefix: string }) {
  const id = `${idPrefix}${item.linkId}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const value = (scope[item.linkId] as string | undefined) ?? '';
  const help = helpText(item);
  const helpId = help ? `${id}-help` : undefined;
  if (item.type === 'choice') {
    const codes = optionCodes(item);
    const yesNo = codes.every((code) => ['yes', 'no', 'unknown'].includes(code));
    if (yesNo) {
      return (
        <fieldset class="question" aria-describedby={helpId}>
          <legend>{questionText(item)}</legend>
          {help && <p class="help" id={helpId}>{help}</p>}
          <div class="choices">
            {codes.map((code) => (
              <label key={code} class={`choice ${value === code ? 'chosen' : ''}`}>
                <input type="radio" name={id} value={code} checked={value === code} onChange={() => onChange(item.linkId, code)} />
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
        <select id={id} value={value} aria-describedby={helpId} required={item.required} onChange={(e) => onChange(item.linkId, e.currentTarget.value)}>
          <option value="">—</option>
          {codes.map((code) => (
            <option key={code} value={code}>
              {optionLabel(item, code)}
            </option>
          ))}
        </select>
        {help && <p class="help" id={helpId}>{help}</p>}
      </div>
    );
  }
  const inputType = (item.type === 'date' ? 'date' : item.type === 'decimal' || item.type === 'integer' ? 'number' : 'text') as 'text';
  return (
    <div class="field">
      <label for={id}>{questionText(item)}</label>
      {item.type === 'text' ? (
        <textarea id={id} value={value} aria-describedby={helpId} onInput={(e) => onChange(item.linkId, e.currentTarget.value)} />
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
      {help && <p class="help" id={helpId}>{help}</p>}
    </div>
  );
}

function Items({ items, scope, onChange, idPrefix }: { items: QuestionnaireItem[]; scope: Answers; onChange: (linkId: string, value: string) => void; idPrefix: string }) {
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

export function VerdictView({ outcome }: { outcome: ScreeningOutcome }) {
  const t = useT();
  const patientText = usePatientText();
  return (
    <div class="verdict-view">
      <p class={`verdict verdict-${outcome.verdict}`} data-testid="verdict">
        {t('verdict')}: <strong>{outcome.verdict}</strong>
      </p>
      {outcome.limbs.length > 0 && (
        <ul class="limb-verdicts">
          {outcome.limbs.map((l) => (
            <li key={`${l.limb}-${l.side}`}>
              {l.limb} {l.side}: <span class={`verdict-${l.verdict}`}>{l.verdict}</span>
            </li>
          ))}
        </ul>
      )}
      {outcome.missing.length > 0 && (
        <p class="missing">
          {t('missing')}: {outcome.missing.join(', ')}
        </p>
      )}
      {outcome.findings.length > 0 && (
        <>
          <h3>{t('findings')}</h3>
          <ul class="findings">
            {outcome.findings.map((f, i) => (
              <li key={`${f.ruleId}-${i}`} class={`finding verdict-${f.verdict}`}>
                <strong>{f.verdict}</strong>
                {f.site ? ` (${f.site.limb} ${f.site.side})` : ''}: {f.clinicianMessage}
                <div class="rule">
                  {t('rule')}:{' '}
                  <a href={`/rules/${encodeURIComponent(f.ruleId)}`} target="_blank" rel="noopener">
                    {f.ruleId} v{f.ruleVersion}
                  </a>{' '}
                  {f.title}
                </div>
                <div>
                  {t('forPatient')}: {patientText(f.patientMessage)}
                </div>
                <EvidenceList evidence={f.evidence} />
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
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
  const [outcome, setOutcome] = useState<ScreeningOutcome | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [checking, setChecking] = useState(false);
  const [stored, setStored] = useState<string | null>(null);
  const latest = useRef(0);

  const body = screeningBody(questionnaire, draft);
  const bodyKey = JSON.stringify(body);
  useEffect(() => {
    const ticket = ++latest.current;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      setChecking(true);
      try {
        const result = await api<ScreeningOutcome>('POST', '/v1/screenings/evaluations', body, controller.signal);
        if (ticket === latest.current) {
          setOutcome(result);
          setProblems([]);
        }
      } catch (error) {
        if (ticket === latest.current && !controller.signal.aborted) {
          setOutcome(null);
          setProblems(problemLines(error));
        }
      } finally {
        if (ticket === latest.current) setChecking(false);
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [bodyKey]);

  const setAnswer = (linkId: string, value: string) => onDraft({ ...draft, answers: { ...draft.answers, [linkId]: value } });
  const limbsItem = questionnaire.item.find((item) => item.type === 'group' && item.repeats);
  const sites = (draft.answers[limbsItem?.linkId ?? ''] as Answers[] | undefined) ?? [];
  const setSites = (next: Answers[]) => limbsItem && onDraft({ ...draft, answers: { ...draft.answers, [limbsItem.linkId]: next } });
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
          .filter((item) => item.linkId !== 'clearance' && isEnabled(item, draft.answers))
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
                      onChange={(linkId, value) => setSites(sites.map((s, j) => (j === i ? { ...s, [linkId]: value } : s)))}
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
        {referFindings.length > 0 && (
          <fieldset class="group clearance">
            <legend>{t('clearance')}</legend>
            <p class="help">{t('clearanceHelp')}</p>
            {referFindings.map((f) => (
              <label key={f.ruleId} class="check">
                <input
                  type="checkbox"
                  checked={clearance.findings.includes(f.ruleId)}
                  onChange={(e) =>
                    setClearance({ findings: e.currentTarget.checked ? [...clearance.findings, f.ruleId] : clearance.findings.filter((id) => id !== f.ruleId) })
                  }
                />
                {f.title} ({f.ruleId})
              </label>
            ))}
            <div class="field">
              <label for="clearance-by">{t('clearedBy')}</label>
              <input id="clearance-by" value={clearance.by} onInput={(e) => setClearance({ by: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label for="clearance-on">{t('clearedOn')}</label>
              <input id="clearance-on" type="date" value={clearance.on} onInput={(e) => setClearance({ on: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label for="clearance-note">{t('clearanceNote')}</label>
              <textarea id="clearance-note" value={clearance.note} onInput={(e) => setClearance({ note: e.currentTarget.value })} />
            </div>
          </fieldset>
        )}
      </form>
      <section class="verdict-panel" aria-live="polite" aria-labelledby="verdict-title">
        <h2 id="verdict-title">{t('verdictLive')}</h2>
        {checking && <p class="note">{t('checking')}</p>}
        {problems.length > 0 && (
          <div class="problems" role="status">
            <p>{t('cannotEvaluate')}</p>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        {outcome && <VerdictView outcome={outcome} />}
        <div class="actions">
          <button type="button" class="secondary" onClick={store} disabled={!outcome}>
            {t('saveScreening')}
          </button>
          <button type="button" onClick={onContinue} disabled={!outcome}>
            {t('toPlan')}
          </button>
        </div>
        {stored && <p role="status">{t('screeningStored')}</p>}
      </section>
    </div>
  );
}
