import { useEffect, useRef, useState } from 'preact/hooks';

import { api, problemLines } from './api';
import { EvidenceList } from './Basis';
import { useCodeText, usePatientText, useT } from './i18n';
import type { ScreeningOutcome } from './types';

const DEBOUNCE_MS = 400;

function VerdictView({ outcome }: { outcome: ScreeningOutcome }) {
  const t = useT();
  const patientText = usePatientText();
  const code = useCodeText();
  return (
    <div class="verdict-view">
      <p class={`verdict verdict-${outcome.verdict}`} data-testid="verdict">
        {t('verdict')}: <strong>{code(outcome.verdict)}</strong>
      </p>
      {outcome.limbs.length > 0 && (
        <ul class="limb-verdicts">
          {outcome.limbs.map((l) => (
            <li key={`${l.limb}-${l.side}`}>
              {code(l.limb)} {code(l.side)}: <span class={`verdict-${l.verdict}`}>{code(l.verdict)}</span>
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
                <strong>{code(f.verdict)}</strong>
                {f.cleared && ` (${t('clearedToCaution')})`}
                {f.site ? ` (${code(f.site.limb)} ${code(f.site.side)})` : ''}: {f.clinicianMessage}
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

/** The verdict as it stands, with its findings, and the way on: store the screening or go to the plan. */
export function VerdictPanel({
  outcome,
  checking,
  problems,
  stored,
  onStore,
  onContinue,
}: {
  outcome: ScreeningOutcome | null;
  checking: boolean;
  problems: string[];
  stored: string | null;
  onStore: () => void;
  onContinue: () => void;
}) {
  const t = useT();
  return (
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
        <button type="button" class="secondary" onClick={onStore} disabled={!outcome}>
          {t('saveScreening')}
        </button>
        <button type="button" onClick={onContinue} disabled={!outcome}>
          {t('toPlan')}
        </button>
      </div>
      {stored && <p role="status">{t('screeningStored')}</p>}
    </section>
  );
}

/** The verdict of the screening as answered so far, asked of the service a moment after each change; nothing is stored. */
export function useLiveVerdict(body: Record<string, unknown>) {
  const [outcome, setOutcome] = useState<ScreeningOutcome | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [checking, setChecking] = useState(false);
  const latest = useRef(0);

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
  return { outcome, checking, problems, setProblems };
}
