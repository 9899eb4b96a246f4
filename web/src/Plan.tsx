import { useEffect, useState } from 'preact/hooks';

import { api, apiBlob, problemLines } from './api';
import { EvidenceList, Explained } from './Basis';
import { useT } from './i18n';
import type { Device, Prescription, PrescriptionSummary } from './types';

/** The choices a plan request offers, read from the API's own OpenAPI document. */
export interface PlanChoices {
  conditions: Array<{ id: string; label: string }>;
  weightBearing: string[];
  goals: string[];
  equipment: string[];
  lopMethods: string[];
  positions: string[];
}

type Schema = { enum?: string[]; description?: string; items?: Schema; properties?: Record<string, Schema> };

export function choicesFromOpenApi(document: { components: { schemas: Record<string, Schema> } }): PlanChoices {
  const s = document.components.schemas;
  const condition = s.Indication.properties!.condition;
  const labels = new Map([...(condition.description ?? '').matchAll(/`([a-z0-9-]+)` \(([^)]*(?:\([^)]*\)[^)]*)*)\)/g)].map((m) => [m[1], m[2]]));
  return {
    conditions: (condition.enum ?? []).map((id) => ({ id, label: labels.get(id) ?? id })),
    weightBearing: s.Indication.properties!.weightBearing.enum ?? [],
    goals: s.PrescriptionRequest.properties!.goal.enum ?? [],
    equipment: s.PrescriptionRequest.properties!.equipment.items?.enum ?? [],
    lopMethods: s.LopMeasurement.properties!.method.enum ?? [],
    positions: s.LopMeasurement.properties!.position.enum ?? [],
  };
}

export interface SiteCuff {
  cuffWidthCm: string;
  lopMmHg: string;
  method: string;
  position: string;
  measuredOn: string;
  device?: string;
}

export interface PlanDraft {
  condition: string;
  side: string;
  surgeryDate: string;
  onsetDate: string;
  weightBearing: string;
  goal: string;
  newToBfr: string;
  equipment: string[];
  oneRepMax: Array<{ exercise: string; kg: string }>;
  sites: Record<string, SiteCuff>;
}

export function emptyPlanDraft(): PlanDraft {
  return { condition: '', side: 'left', surgeryDate: '', onsetDate: '', weightBearing: 'full', goal: 'strength', newToBfr: 'yes', equipment: [], oneRepMax: [], sites: {} };
}

export function siteKey(site: { limb: string; side: string }): string {
  return `${site.limb}:${site.side}`;
}

export function emptySite(today: string): SiteCuff {
  return { cuffWidthCm: '11.5', lopMmHg: '', method: 'doppler', position: 'supine', measuredOn: today };
}

/** The prescription request: the screening as answered plus the plan's own fields. */
export function prescriptionBody(screening: Record<string, unknown>, draft: PlanDraft): Record<string, unknown> {
  const limbs = ((screening.limbs as Array<Record<string, unknown>>) ?? []).map((limb) => {
    const cuff = draft.sites[siteKey(limb as { limb: string; side: string })];
    if (!cuff) return { ...limb, cuffWidthCm: undefined };
    const lop = cuff.lopMmHg
      ? [{ mmHg: Number(cuff.lopMmHg), method: cuff.method, position: cuff.position, cuffWidthCm: Number(cuff.cuffWidthCm), measuredOn: cuff.measuredOn, ...(cuff.device ? { device: cuff.device } : {}) }]
      : [];
    return { ...limb, cuffWidthCm: Number(cuff.cuffWidthCm), lop };
  });
  const oneRepMaxKg = Object.fromEntries(draft.oneRepMax.filter((r) => r.exercise && r.kg).map((r) => [r.exercise, Number(r.kg)]));
  return {
    ...screening,
    limbs,
    indication: {
      condition: draft.condition,
      side: draft.side,
      // Which date a condition needs is the service's to say: it names the field when one is missing or not used.
      ...(draft.surgeryDate ? { surgeryDate: draft.surgeryDate } : {}),
      ...(draft.onsetDate ? { onsetDate: draft.onsetDate } : {}),
      weightBearing: draft.weightBearing,
    },
    goal: draft.goal,
    newToBfr: draft.newToBfr,
    ...(draft.equipment.length > 0 ? { equipment: draft.equipment } : {}),
    oneRepMaxKg,
  };
}

function Select({ id, label, value, options, onChange }: { id: string; label: string; value: string; options: Array<{ value: string; label: string }>; onChange: (v: string) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

const plain = (values: string[]) => values.map((v) => ({ value: v, label: v }));

function MeasureLop({ patientRef, site, cuff, onMeasured }: { patientRef: string; site: { limb: string; side: string }; cuff: SiteCuff; onMeasured: (c: SiteCuff) => void }) {
  const t = useT();
  const [devices, setDevices] = useState<Device[]>([]);
  const [device, setDevice] = useState('');
  const [channel, setChannel] = useState('A');
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const key = siteKey(site).replace(':', '-');
  useEffect(() => {
    api<{ items: Device[] }>('GET', '/v1/devices').then((list) => {
      setDevices(list.items);
      setDevice(list.items.find((d) => d.online && !d.busy)?.deviceId ?? '');
    }, (error) => setProblems(problemLines(error)));
  }, []);
  const measure = async () => {
    setBusy(true);
    setProblems([]);
    try {
      const answer = await api<{ lop: { mmHg: number; method: string; position: string; cuffWidthCm: number; measuredOn: string; device?: string } }>(
        'POST',
        `/v1/devices/${encodeURIComponent(device)}/lop-measurements`,
        { patientRef, channel, site, cuffWidthCm: Number(cuff.cuffWidthCm), posture: cuff.position },
      );
      onMeasured({ ...cuff, lopMmHg: String(answer.lop.mmHg), method: answer.lop.method, measuredOn: answer.lop.measuredOn, device: answer.lop.device });
    } catch (error) {
      setProblems(problemLines(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="measure">
      <summary>{t('measureWithCuff')}</summary>
      <Select id={`measure-device-${key}`} label={t('device')} value={device} options={devices.map((d) => ({ value: d.deviceId, label: `${d.deviceId} (${d.online ? t('online') : t('offline')}${d.busy ? `, ${t('busy')}` : ''})` }))} onChange={setDevice} />
      <Select id={`measure-channel-${key}`} label={t('channel')} value={channel} options={plain(devices.find((d) => d.deviceId === device)?.channels ?? ['A', 'B'])} onChange={setChannel} />
      <button type="button" class="secondary" onClick={measure} disabled={busy || !device || !patientRef}>
        {t('measureWithCuff')}
      </button>
      {busy && <p role="status">{t('measuring')}</p>}
      {problems.length > 0 && <ProblemList problems={problems} />}
    </details>
  );
}

export function ProblemList({ problems, title }: { problems: string[]; title?: string }) {
  const t = useT();
  return (
    <div class="problems" role="alert">
      <p>{title ?? t('error')}</p>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </ul>
    </div>
  );
}

export function PlanForm({
  choices,
  draft,
  onDraft,
  sites,
  patientRef,
  today,
  submitLabel,
  onSubmit,
}: {
  choices: PlanChoices;
  draft: PlanDraft;
  onDraft: (d: PlanDraft) => void;
  sites: Array<{ limb: string; side: string }>;
  patientRef: string;
  today: string;
  submitLabel: string;
  onSubmit: () => Promise<void>;
}) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<PlanDraft>) => onDraft({ ...draft, ...patch });
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSubmit();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="plan-form" onSubmit={submit} aria-labelledby="plan-form-title">
      <h2 id="plan-form-title">{t('plan')}</h2>
      <fieldset class="group">
        <legend>{t('indication')}</legend>
        <Select id="condition" label={t('condition')} value={draft.condition} options={[{ value: '', label: '—' }, ...choices.conditions.map((c) => ({ value: c.id, label: c.label }))]} onChange={(v) => set({ condition: v })} />
        <Select id="side" label={t('side')} value={draft.side} options={[{ value: 'left', label: t('left') }, { value: 'right', label: t('right') }]} onChange={(v) => set({ side: v })} />
        <div class="row">
          <div class="field">
            <label for="surgery-date">{t('surgeryDate')}</label>
            <input id="surgery-date" type="date" value={draft.surgeryDate} onInput={(e) => set({ surgeryDate: e.currentTarget.value })} />
          </div>
          <div class="field">
            <label for="onset-date">{t('onsetDate')}</label>
            <input id="onset-date" type="date" value={draft.onsetDate} onInput={(e) => set({ onsetDate: e.currentTarget.value })} />
          </div>
        </div>
        <Select id="weight-bearing" label={t('weightBearing')} value={draft.weightBearing} options={plain(choices.weightBearing)} onChange={(v) => set({ weightBearing: v })} />
        <Select id="goal" label={t('goal')} value={draft.goal} options={plain(choices.goals)} onChange={(v) => set({ goal: v })} />
        <Select id="new-to-bfr" label={t('newToBfr')} value={draft.newToBfr} options={[{ value: 'yes', label: t('yes') }, { value: 'no', label: t('no') }, { value: 'unknown', label: t('unknown') }]} onChange={(v) => set({ newToBfr: v })} />
      </fieldset>
      <fieldset class="group">
        <legend>{t('equipment')}</legend>
        <div class="checks">
          {choices.equipment.map((item) => (
            <label key={item} class="check">
              <input
                type="checkbox"
                checked={draft.equipment.includes(item)}
                onChange={(e) => set({ equipment: e.currentTarget.checked ? [...draft.equipment, item] : draft.equipment.filter((x) => x !== item) })}
              />
              {item}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset class="group">
        <legend>{t('oneRepMax')}</legend>
        {draft.oneRepMax.map((row, i) => (
          <div class="row" key={i}>
            <div class="field">
              <label for={`orm-exercise-${i}`}>{t('exerciseId')}</label>
              <input id={`orm-exercise-${i}`} value={row.exercise} onInput={(e) => set({ oneRepMax: draft.oneRepMax.map((r, j) => (j === i ? { ...r, exercise: e.currentTarget.value } : r)) })} />
            </div>
            <div class="field">
              <label for={`orm-kg-${i}`}>{t('kg')}</label>
              <input id={`orm-kg-${i}`} type="number" step="any" value={row.kg} onInput={(e) => set({ oneRepMax: draft.oneRepMax.map((r, j) => (j === i ? { ...r, kg: e.currentTarget.value } : r)) })} />
            </div>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => set({ oneRepMax: [...draft.oneRepMax, { exercise: '', kg: '' }] })}>
          {t('addOneRepMax')}
        </button>
      </fieldset>
      <fieldset class="group">
        <legend>{t('cuffAndLop')}</legend>
        {sites.map((site) => {
          const key = siteKey(site);
          const id = key.replace(':', '-');
          const cuff = draft.sites[key] ?? emptySite(today);
          const setCuff = (patch: Partial<SiteCuff>) => set({ sites: { ...draft.sites, [key]: { ...cuff, ...patch } } });
          return (
            <fieldset class="group site" key={key}>
              <legend>
                {site.limb} {site.side}
              </legend>
              <div class="row">
                <div class="field">
                  <label for={`cuff-width-${id}`}>{t('cuffWidth')}</label>
                  <input id={`cuff-width-${id}`} type="number" step="any" value={cuff.cuffWidthCm} onInput={(e) => setCuff({ cuffWidthCm: e.currentTarget.value })} />
                </div>
                <div class="field">
                  <label for={`lop-${id}`}>{t('lopMmHg')}</label>
                  <input id={`lop-${id}`} type="number" value={cuff.lopMmHg} onInput={(e) => setCuff({ lopMmHg: e.currentTarget.value, device: undefined })} />
                </div>
                <Select id={`lop-method-${id}`} label={t('lopMethod')} value={cuff.method} options={plain(choices.lopMethods)} onChange={(v) => setCuff({ method: v })} />
                <Select id={`lop-position-${id}`} label={t('position')} value={cuff.position} options={plain(choices.positions)} onChange={(v) => setCuff({ position: v })} />
                <div class="field">
                  <label for={`lop-date-${id}`}>{t('measuredOn')}</label>
                  <input id={`lop-date-${id}`} type="date" value={cuff.measuredOn} onInput={(e) => setCuff({ measuredOn: e.currentTarget.value })} />
                </div>
              </div>
              <MeasureLop patientRef={patientRef} site={site} cuff={cuff} onMeasured={(c) => set({ sites: { ...draft.sites, [key]: c } })} />
            </fieldset>
          );
        })}
      </fieldset>
      <button type="submit" disabled={busy || !draft.condition}>
        {busy ? t('making') : submitLabel}
      </button>
    </form>
  );
}

/** A plan value in words: a set scheme as 30-15-15-15, a rule's own message where it gives one. */
function setsText(value: unknown): string {
  if (Array.isArray(value)) return value.join('-');
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'object') return String(value);
  const record = value as Record<string, unknown>;
  if (typeof record.clinicianMessage === 'string') return record.clinicianMessage;
  if ('concentricSeconds' in record && 'eccentricSeconds' in record) return `${record.concentricSeconds} s / ${record.eccentricSeconds} s`;
  return Object.entries(record)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

export function PlanView({ prescription }: { prescription: Prescription }) {
  const t = useT();
  const plan = prescription.plan;
  const schedule = plan.schedule as Record<string, { value: unknown; basis: [] }>;
  return (
    <section class="plan-view" aria-labelledby="plan-title">
      <h2 id="plan-title">
        {t('draftPlan')} {prescription.patientRef} · {t('version')} {prescription.version} · <span class={`status status-${prescription.status}`} data-testid="plan-status">{prescription.status}</span>
      </h2>
      {prescription.approval && <p>{t('approved', { who: prescription.approval.by, at: new Date(prescription.approval.at).toLocaleString() })}</p>}
      <dl class="facts">
        <Explained label={t('phase')} basis={plan.phase.basis}>
          {plan.phase.label} ({plan.phase.stage}; {plan.phase.evidenceGrade})
        </Explained>
      </dl>
      <p class="note">{plan.phase.clinicianMessage}</p>
      <h3>{t('exercises')}</h3>
      <ol class="exercises">
        {plan.exercises.map((x) => {
          const d = x.dose;
          return (
            <li key={`${x.order}`} class="exercise">
              <h4>
                {x.exercise.name} · {x.site.limb} {x.site.side} · {x.exercise.position}
              </h4>
              <dl class="facts">
                <Explained label={t('exerciseId')} basis={x.basis}>
                  {x.exercise.id}
                </Explained>
                <Explained label={t('pressure')} basis={[...d.pressure.basis.lopPercent, ...d.pressure.basis.startLopPercent]}>
                  <span data-testid="pressure">
                    {d.pressure.mmHg} mmHg ({d.pressure.lopPercent} % LOP) · {t('firstSession')}: {d.pressure.startMmHg} mmHg ({d.pressure.startLopPercent} % LOP) · LOP {d.pressure.lop.mmHg} mmHg ({d.pressure.lop.source})
                  </span>
                </Explained>
                <Explained label={t('load')} basis={d.load.basis}>
                  {d.load.kind === 'external' ? `${d.load.percent1RM} % 1RM${d.load.kg !== null ? ` = ${d.load.kg} kg` : ''}` : d.load.kind === 'body-weight' ? t('bodyWeight') : t('noLoad')}
                </Explained>
                {d.sets.value !== null && (
                  <Explained label={t('sets')} basis={d.sets.basis}>
                    {setsText(d.sets.value)}
                  </Explained>
                )}
                {d.restBetweenSets.seconds !== null && (
                  <Explained label={t('rest')} basis={d.restBetweenSets.basis}>
                    {d.restBetweenSets.seconds} s
                  </Explained>
                )}
                {d.tempo.value !== null && (
                  <Explained label={t('tempo')} basis={d.tempo.basis}>
                    {setsText(d.tempo.value)}
                  </Explained>
                )}
                {d.bouts.value !== null && (
                  <Explained label={t('bouts')} basis={d.bouts.basis}>
                    {setsText(d.bouts.value)}
                  </Explained>
                )}
                {d.intensity.value !== null && (
                  <Explained label={t('intensity')} basis={d.intensity.basis}>
                    {d.intensity.value}
                  </Explained>
                )}
                <Explained label={t('reperfusion')} basis={d.reperfusion.basis}>
                  {d.reperfusion.seconds} s
                </Explained>
                <Explained label={t('maxInflation')} basis={d.maxContinuousMinutes.basis}>
                  {d.maxContinuousMinutes.value} min
                </Explained>
              </dl>
            </li>
          );
        })}
      </ol>
      <h3>{t('schedule')}</h3>
      <dl class="facts">
        {(
          [
            ['sessionsPerWeek', 'sessionsPerWeek'],
            ['minHoursBetweenSessions', 'hoursBetween'],
            ['programWeeks', 'programWeeks'],
            ['progression', 'progression'],
            ['supervision', 'supervision'],
            ['maxExercisesFirstSession', 'firstSessionExercises'],
          ] as const
        ).map(([field, label]) =>
          schedule[field] ? (
            <Explained key={field} label={t(label)} basis={schedule[field].basis}>
              {setsText(schedule[field].value)}
            </Explained>
          ) : null,
        )}
      </dl>
      {plan.warnings.length > 0 && (
        <>
          <h3>{t('warnings')}</h3>
          <ul class="warnings">
            {plan.warnings.map((w, i) => (
              <li key={i}>
                <strong>{w.severity}</strong>: {w.message} <a href={`/rules/${encodeURIComponent(w.ruleId)}`} target="_blank" rel="noopener">{w.ruleId}</a>
              </li>
            ))}
          </ul>
        </>
      )}
      {plan.omitted.length > 0 && (
        <>
          <h3>{t('omitted')}</h3>
          <ul>
            {plan.omitted.map((o, i) => (
              <li key={i}>
                {o.exercise} ({o.side}): {o.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function Approval({ prescription, onApproved }: { prescription: Prescription; onApproved: (p: Prescription) => void }) {
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
        acknowledgements: cautions.map((c) => ({ caution: c.id, ...(acks[c.id]?.note.trim() ? { note: acks[c.id].note.trim() } : {}) })),
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
              {t('rule')}: <a href={`/rules/${encodeURIComponent(c.ruleId)}`} target="_blank" rel="noopener">{c.ruleId}</a>
            </p>
            <EvidenceList evidence={c.evidence} />
            <label class="check">
              <input type="checkbox" checked={ack.checked} onChange={(e) => setAcks({ ...acks, [c.id]: { ...ack, checked: e.currentTarget.checked } })} />
              {t('acknowledge')}
            </label>
            <div class="field">
              <label for={`ack-note-${id}`}>{t('ackNote')}</label>
              <input id={`ack-note-${id}`} value={ack.note} onInput={(e) => setAcks({ ...acks, [c.id]: { ...ack, note: e.currentTarget.value } })} />
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
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
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
        <Select id="handout-lang" label={t('handoutLang')} value={lang} options={[{ value: 'en', label: t('english') }, { value: 'es', label: t('spanish') }]} onChange={(v) => { setLang(v as 'en' | 'es'); setUrl(null); }} />
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

export function History({ patientRef, currentId, currentStatus, onOpen }: { patientRef: string; currentId: string; currentStatus: string; onOpen: (id: string) => void }) {
  const t = useT();
  const [items, setItems] = useState<PrescriptionSummary[]>([]);
  useEffect(() => {
    api<{ items: PrescriptionSummary[] }>('GET', `/v1/prescriptions?patient=${encodeURIComponent(patientRef)}&limit=50`).then((page) => setItems(page.items), () => setItems([]));
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
            <th scope="col"><span class="visually-hidden">{t('open')}</span></th>
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
