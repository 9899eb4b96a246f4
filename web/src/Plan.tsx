import { useEffect, useState } from 'preact/hooks';

import { api, problemLines } from './api';
import { Explained } from './Basis';
import { useT } from './i18n';
import { emptySite, type PlanChoices, type PlanDraft, type SiteCuff, siteKey } from './plan-draft';
import type { Device, Prescription } from './types';


export function Select({ id, label, value, options, onChange }: { id: string; label: string; value: string; options: Array<{ value: string; label: string }>; onChange: (v: string) => void }) {
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
