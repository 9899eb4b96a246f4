import { useEffect, useState } from 'preact/hooks';

import { api, problemLines } from './api';
import { useT } from './i18n';
import { ProblemList } from './controls';
import type { PrescriptionSummary } from './types';

/** The clinic's plans, newest first, grouped by patient in that order. */
export function groupByPatient(
  items: PrescriptionSummary[],
): Array<{ patientRef: string; plans: PrescriptionSummary[] }> {
  const groups = new Map<string, PrescriptionSummary[]>();
  for (const item of items) {
    groups.set(item.patientRef, [...(groups.get(item.patientRef) ?? []), item]);
  }
  return [...groups].map(([patientRef, plans]) => ({ patientRef, plans }));
}

export function Patients({ onOpen, onNew }: { onOpen: (id: string) => void; onNew: () => void }) {
  const t = useT();
  const [items, setItems] = useState<PrescriptionSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const load = async (after: string | null) => {
    try {
      const page = await api<{ items: PrescriptionSummary[]; nextCursor: string | null }>(
        'GET',
        `/v1/prescriptions?limit=50${after ? `&cursor=${after}` : ''}`,
      );
      setItems((previous) => (after ? [...previous, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (error) {
      setProblems(problemLines(error));
    }
  };
  useEffect(() => {
    load(null);
  }, []);
  return (
    <section aria-labelledby="patients-title">
      <h2 id="patients-title">{t('patients')}</h2>
      <button type="button" onClick={onNew}>
        {t('newPatient')}
      </button>
      {problems.length > 0 && <ProblemList problems={problems} />}
      {items.length === 0 ? (
        <p>{t('noPlans')}</p>
      ) : (
        groupByPatient(items).map((group) => (
          <table key={group.patientRef} class="patient">
            <caption>
              {t('patientRef')} {group.patientRef}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('version')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('condition')}</th>
                <th scope="col">{t('phase')}</th>
                <th scope="col">{t('created')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {group.plans.map((p) => (
                <tr key={p.id}>
                  <td>{p.version}</td>
                  <td>{p.status}</td>
                  <td>{p.condition}</td>
                  <td>{p.phase}</td>
                  <td>{new Date(p.createdAt).toLocaleString()}</td>
                  <td>
                    <button type="button" class="link" onClick={() => onOpen(p.id)}>
                      {t('open')}{' '}
                      <span class="visually-hidden">
                        {group.patientRef} v{p.version}
                      </span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))
      )}
      {cursor && (
        <button type="button" class="secondary" onClick={() => load(cursor)}>
          {t('loadMore')}
        </button>
      )}
    </section>
  );
}
