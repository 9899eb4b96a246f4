import type { ClearanceDraft } from './clearance';
import { useT } from './i18n';
import type { ScreeningOutcome } from './types';

/**
 * The clearance a clinician records against the findings that need one. A finding named earlier that
 * the screening no longer reports stays listed, so the clearance never names a finding out of sight.
 */
export function ClearanceFields({
  referFindings,
  clearance,
  onClearance,
}: {
  referFindings: ScreeningOutcome['findings'];
  clearance: ClearanceDraft;
  onClearance: (patch: Partial<ClearanceDraft>) => void;
}) {
  const t = useT();
  const choices = [
    ...referFindings.map((f) => ({ ruleId: f.ruleId, title: f.title })),
    ...clearance.findings
      .filter((id) => !referFindings.some((f) => f.ruleId === id))
      .map((ruleId) => ({ ruleId, title: '' })),
  ];
  return (
    <fieldset class="group clearance">
      <legend>{t('clearance')}</legend>
      <p class="help">{t('clearanceHelp')}</p>
      {choices.map(({ ruleId, title }) => (
        <label key={ruleId} class="check">
          <input
            type="checkbox"
            checked={clearance.findings.includes(ruleId)}
            onChange={(e) =>
              onClearance({
                findings: e.currentTarget.checked
                  ? [...clearance.findings, ruleId]
                  : clearance.findings.filter((id) => id !== ruleId),
              })
            }
          />
          {title ? `${title} (${ruleId})` : ruleId}
        </label>
      ))}
      <div class="field">
        <label for="clearance-by">{t('clearedBy')}</label>
        <input id="clearance-by" value={clearance.by} onInput={(e) => onClearance({ by: e.currentTarget.value })} />
      </div>
      <div class="field">
        <label for="clearance-on">{t('clearedOn')}</label>
        <input
          id="clearance-on"
          type="date"
          value={clearance.on}
          onInput={(e) => onClearance({ on: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for="clearance-note">{t('clearanceNote')}</label>
        <textarea
          id="clearance-note"
          value={clearance.note}
          onInput={(e) => onClearance({ note: e.currentTarget.value })}
        />
      </div>
    </fieldset>
  );
}
