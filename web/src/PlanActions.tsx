import { useEffect, useState } from 'preact/hooks';

import { api, apiBlob, problemLines } from './api';
import { EvidenceList } from './Basis';
import { ProblemList, Select } from './controls';
import { useT } from './i18n';
import type { Prescription, PrescriptionSummary } from './types';

export function Approval({
  prescription,
  onApproved,
}: {
  prescription: Prescription;
  onApproved: (p: Prescription) => void;
}) {
  const t = useT();
  const cautions = prescription.plan.cautions;
  const [acks, setAcks] = useState<Record<string, { checked: boolean; note: string }>>({});
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  if (prescription.status !== 'draft') return null;
  const allAcknowledged = cautions.every((c) => acks[c.id]?.checked);
  const approve = async (event: Event) => {
    event.preventDefault();
    try {
      const body = {
        acknowledgements: cautions.map((c) => ({
          caution: c.id,
          ...(acks[c.id]?.note.trim() ? { note: acks[c.id].note.trim() } : {}),
        })),
        ...(name.trim() ? { contact: { name: name.trim(), ...(phone.trim() ? { phone: phone.trim() } : {}) } } : {}),
      };
      onApproved(await api<Prescription>('POST', `/v1/prescriptions/${prescription.id}/approve`, body));
    } catch (error) {
      setProblems(problemLines(error));
    }
  };
  return (
    <form class="approval" onSubmit={approve} aria-labelledby="approval-title">
      <h3 id="approval-title">{t('cautions')}</h3>
      {cautions.map((c) => {
        const id = c.id.replace(/[^A-Za-z0-9_-]/g, '-');
        const ack = acks[c.id] ?? { checked: false, note: '' };
        return (
          <fieldset key={c.id} class="caution">
            <legend>{c.title}</legend>
            <p>{c.message}</p>
            <p class="rule">
              {t('rule')}:{' '}
              <a href={`/rules/${encodeURIComponent(c.ruleId)}`} target="_blank" rel="noopener">
                {c.ruleId}
              </a>
            </p>
            <EvidenceList evidence={c.evidence} />
            <label class="check">
              <input
                type="checkbox"
                checked={ack.checked}
                onChange={(e) => setAcks({ ...acks, [c.id]: { ...ack, checked: e.currentTarget.checked } })}
              />
              {t('acknowledge')}
            </label>
            <div class="field">
              <label for={`ack-note-${id}`}>{t('ackNote')}</label>
              <input
                id={`ack-note-${id}`}
                value={ack.note}
                onInput={(e) => setAcks({ ...acks, [c.id]: { ...ack, note: e.currentTarget.value } })}
              />
            </div>
          </fieldset>
        );
      })}
      <div class="row">
        <div class="field">
          <label for="contact-name">{t('contactName')}</label>
          <input id="contact-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="contact-phone">{t('contactPhone')}</label>
          <input id="contact-phone" type="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
        </div>
      </div>
      <button type="submit" disabled={!allAcknowledged}>
        {t('approve')}
      </button>
      {problems.length > 0 && <ProblemList problems={problems} />}
    </form>
  );
}

export function Handout({ prescription }: { prescription: Prescription }) {
  const t = useT();
  const [lang, setLang] = useState<'en' | 'es'>('en');
  const [url, setUrl] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url);
    },
    [url],
  );
  const load = async (): Promise<string | null> => {
    try {
      const blob = await apiBlob(`/v1/prescriptions/${prescription.id}/handout.pdf?lang=${lang}`);
      const next = URL.createObjectURL(blob);
      setUrl(next);
      setProblems([]);
      return next;
    } catch (error) {
      setProblems(problemLines(error));
      return null;
    }
  };
  const print = async () => {
    const target = url ?? (await load());
    if (target) window.open(target, '_blank', 'noopener');
  };
  return (
    <section class="handout" aria-labelledby="handout-title">
      <h3 id="handout-title">{t('handout')}</h3>
      <div class="row">
        <Select
          id="handout-lang"
          label={t('handoutLang')}
          value={lang}
          options={[
            { value: 'en', label: t('english') },
            { value: 'es', label: t('spanish') },
          ]}
          onChange={(v) => {
            setLang(v as 'en' | 'es');
            setUrl(null);
          }}
        />
        <button type="button" class="secondary" onClick={load}>
          {t('preview')}
        </button>
        <button type="button" class="secondary" onClick={print}>
          {t('print')}
        </button>
        {url && (
          <a class="button secondary" href={url} download={`handout-${prescription.patientRef}-${lang}.pdf`}>
            {t('download')}
          </a>
        )}
      </div>
      {url && <iframe class="pdf" title={t('handout')} src={url} data-testid="handout-frame" />}
      {problems.length > 0 && <ProblemList problems={problems} />}
    </section>
  );
}

export function History({
  patientRef,
  currentId,
  currentStatus,
  onOpen,
}: {
  patientRef: string;
  currentId: string;
  currentStatus: string;
  onOpen: (id: string) => void;
}) {
  const t = useT();
  const [items, setItems] = useState<PrescriptionSummary[]>([]);
  useEffect(() => {
    api<{ items: PrescriptionSummary[] }>(
      'GET',
      `/v1/prescriptions?patient=${encodeURIComponent(patientRef)}&limit=50`,
    ).then(
      (page) => setItems(page.items),
      () => setItems([]),
    );
  }, [patientRef, currentId, currentStatus]);
  return (
    <section aria-labelledby="history-title">
      <h3 id="history-title">{t('history')}</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('version')}</th>
            <th scope="col">{t('status')}</th>
            <th scope="col">{t('condition')}</th>
            <th scope="col">{t('created')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('open')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id} aria-current={item.id === currentId ? 'true' : undefined}>
              <td>{item.version}</td>
              <td>{item.status}</td>
              <td>{item.condition}</td>
              <td>{new Date(item.createdAt).toLocaleString()}</td>
              <td>
                <button type="button" class="link" onClick={() => onOpen(item.id)}>
                  {t('open')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
