import type { ComponentChildren } from 'preact';

import { useT } from './i18n';
import type { Evidence, RuleRef } from './types';

export function EvidenceList({ evidence }: { evidence: Evidence[] }) {
  const t = useT();
  if (evidence.length === 0) return null;
  return (
    <div class="evidence">
      <span class="label">{t('evidence')}:</span>
      <ul>
        {evidence.map((e, i) => (
          <li key={i}>
            {e.source} <span class="level">({e.level})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A value of the plan with the rules that set it, opened on demand. */
export function Explained({
  label,
  children,
  basis,
}: {
  label: string;
  children: ComponentChildren;
  basis: RuleRef[];
}) {
  const t = useT();
  return (
    <div class="explained">
      <dt>{label}</dt>
      <dd>
        <span class="value">{children}</span>
        {basis.length > 0 && (
          <details>
            <summary>
              {t('why')} <span class="visually-hidden">: {label}</span>
            </summary>
            <ul class="basis">
              {basis.map((rule) => (
                <li key={rule.ruleId}>
                  <strong>{rule.title}</strong>{' '}
                  <a href={`/rules/${encodeURIComponent(rule.ruleId)}`} target="_blank" rel="noopener">
                    {rule.ruleId} v{rule.version}
                  </a>
                  <EvidenceList evidence={rule.evidence} />
                </li>
              ))}
            </ul>
          </details>
        )}
      </dd>
    </div>
  );
}
