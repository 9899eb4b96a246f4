import { useEffect, useState } from 'preact/hooks';

import { api, problemLines } from './api';
import { plain, ProblemList, Select } from './controls';
import { useCodeText, useT } from './i18n';
import { emptySite, type PlanChoices, type PlanDraft, type SiteCuff, siteKey } from './plan-draft';
import type { Device } from './types';

function MeasureLop({
  patientRef,
  site,
  cuff,
  onMeasured,
}: {
  patientRef: string;
  site: { limb: string; side: string };
  cuff: SiteCuff;
  onMeasured: (c: SiteCuff) => void;
}) {
  const t = useT();
  const [devices, setDevices] = useState<Device[]>([]);
  const [device, setDevice] = useState('');
  const [channel, setChannel] = useState('A');
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const key = siteKey(site).replace(':', '-');
  useEffect(() => {
    api<{ items: Device[] }>('GET', '/v1/devices').then(
      (list) => {
        setDevices(list.items);
        setDevice(list.items.find((d) => d.online && !d.busy)?.deviceId ?? '');
      },
      (error) => setProblems(problemLines(error)),
    );
  }, []);
  const measure = async () => {
    setBusy(true);
    setProblems([]);
    try {
      const answer = await api<{
        lop: {
          mmHg: number;
          method: string;
          position: string;
          cuffWidthCm: number;
          measuredOn: string;
          device?: string;
        };
      }>('POST', `/v1/devices/${encodeURIComponent(device)}/lop-measurements`, {
        patientRef,
        channel,
        site,
        cuffWidthCm: Number(cuff.cuffWidthCm),
        posture: cuff.position,
      });
      onMeasured({
        ...cuff,
        lopMmHg: String(answer.lop.mmHg),
        method: answer.lop.method,
        measuredOn: answer.lop.measuredOn,
        device: answer.lop.device,
      });
    } catch (error) {
      setProblems(problemLines(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="measure">
      <summary>{t('measureWithCuff')}</summary>
      <Select
        id={`measure-device-${key}`}
        label={t('device')}
        value={device}
        options={devices.map((d) => ({
          value: d.deviceId,
          label: `${d.deviceId} (${d.online ? t('online') : t('offline')}${d.busy ? `, ${t('busy')}` : ''})`,
        }))}
        onChange={setDevice}
      />
      <Select
        id={`measure-channel-${key}`}
        label={t('channel')}
        value={channel}
        options={plain(devices.find((d) => d.deviceId === device)?.channels ?? ['A', 'B'])}
        onChange={setChannel}
      />
      <button type="button" class="secondary" onClick={measure} disabled={busy || !device || !patientRef}>
        {t('measureWithCuff')}
      </button>
      {busy && <p role="status">{t('measuring')}</p>}
      {problems.length > 0 && <ProblemList problems={problems} />}
    </details>
  );
}

/** A part of the plan form: the choices the API offers, the draft, and how to change it. */
interface DraftFields {
  choices: PlanChoices;
  draft: PlanDraft;
  set: (patch: Partial<PlanDraft>) => void;
}

/** What the plan treats, and the goal. */
function IndicationFields({ choices, draft, set }: DraftFields) {
  const t = useT();
  return (
    <fieldset class="group">
      <legend>{t('indication')}</legend>
      <Select
        id="condition"
        label={t('condition')}
        value={draft.condition}
        options={[{ value: '', label: '—' }, ...choices.conditions.map((c) => ({ value: c.id, label: c.label }))]}
        onChange={(v) => set({ condition: v })}
      />
      <Select
        id="side"
        label={t('side')}
        value={draft.side}
        options={[
          { value: 'left', label: t('left') },
          { value: 'right', label: t('right') },
        ]}
        onChange={(v) => set({ side: v })}
      />
      <div class="row">
        <div class="field">
          <label for="surgery-date">{t('surgeryDate')}</label>
          <input
            id="surgery-date"
            type="date"
            value={draft.surgeryDate}
            onInput={(e) => set({ surgeryDate: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="onset-date">{t('onsetDate')}</label>
          <input
            id="onset-date"
            type="date"
            value={draft.onsetDate}
            onInput={(e) => set({ onsetDate: e.currentTarget.value })}
          />
        </div>
      </div>
      <Select
        id="weight-bearing"
        label={t('weightBearing')}
        value={draft.weightBearing}
        options={plain(choices.weightBearing)}
        onChange={(v) => set({ weightBearing: v })}
      />
      <Select
        id="goal"
        label={t('goal')}
        value={draft.goal}
        options={plain(choices.goals)}
        onChange={(v) => set({ goal: v })}
      />
      <Select
        id="new-to-bfr"
        label={t('newToBfr')}
        value={draft.newToBfr}
        options={[
          { value: 'yes', label: t('yes') },
          { value: 'no', label: t('no') },
          { value: 'unknown', label: t('unknown') },
        ]}
        onChange={(v) => set({ newToBfr: v })}
      />
    </fieldset>
  );
}

/** The equipment the patient has. */
function EquipmentFields({ choices, draft, set }: DraftFields) {
  const t = useT();
  return (
    <fieldset class="group">
      <legend>{t('equipment')}</legend>
      <div class="checks">
        {choices.equipment.map((item) => (
          <label key={item} class="check">
            <input
              type="checkbox"
              checked={draft.equipment.includes(item)}
              onChange={(e) =>
                set({
                  equipment: e.currentTarget.checked
                    ? [...draft.equipment, item]
                    : draft.equipment.filter((x) => x !== item),
                })
              }
            />
            {item}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** The one-repetition maximums known, per exercise. */
function OneRepMaxFields({ draft, set }: Omit<DraftFields, 'choices'>) {
  const t = useT();
  return (
    <fieldset class="group">
      <legend>{t('oneRepMax')}</legend>
      {draft.oneRepMax.map((row, i) => (
        <div class="row" key={i}>
          <div class="field">
            <label for={`orm-exercise-${i}`}>{t('exerciseId')}</label>
            <input
              id={`orm-exercise-${i}`}
              value={row.exercise}
              onInput={(e) =>
                set({
                  oneRepMax: draft.oneRepMax.map((r, j) => (j === i ? { ...r, exercise: e.currentTarget.value } : r)),
                })
              }
            />
          </div>
          <div class="field">
            <label for={`orm-kg-${i}`}>{t('kg')}</label>
            <input
              id={`orm-kg-${i}`}
              type="number"
              step="any"
              value={row.kg}
              onInput={(e) =>
                set({ oneRepMax: draft.oneRepMax.map((r, j) => (j === i ? { ...r, kg: e.currentTarget.value } : r)) })
              }
            />
          </div>
        </div>
      ))}
      <button
        type="button"
        class="secondary"
        onClick={() => set({ oneRepMax: [...draft.oneRepMax, { exercise: '', kg: '' }] })}
      >
        {t('addOneRepMax')}
      </button>
    </fieldset>
  );
}

/** The cuff and the LOP at each cuff site: typed in, or measured with a cuff. */
function CuffFields({
  choices,
  draft,
  set,
  sites,
  patientRef,
  today,
}: DraftFields & {
  sites: Array<{ limb: string; side: string }>;
  patientRef: string;
  today: string;
}) {
  const t = useT();
  const code = useCodeText();
  return (
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
              {code(site.limb)} {code(site.side)}
            </legend>
            <div class="row">
              <div class="field">
                <label for={`cuff-width-${id}`}>{t('cuffWidth')}</label>
                <input
                  id={`cuff-width-${id}`}
                  type="number"
                  step="any"
                  value={cuff.cuffWidthCm}
                  onInput={(e) => setCuff({ cuffWidthCm: e.currentTarget.value })}
                />
              </div>
              <div class="field">
                <label for={`lop-${id}`}>{t('lopMmHg')}</label>
                <input
                  id={`lop-${id}`}
                  type="number"
                  value={cuff.lopMmHg}
                  onInput={(e) => setCuff({ lopMmHg: e.currentTarget.value, device: undefined })}
                />
              </div>
              <Select
                id={`lop-method-${id}`}
                label={t('lopMethod')}
                value={cuff.method}
                options={plain(choices.lopMethods)}
                onChange={(v) => setCuff({ method: v })}
              />
              <Select
                id={`lop-position-${id}`}
                label={t('position')}
                value={cuff.position}
                options={plain(choices.positions)}
                onChange={(v) => setCuff({ position: v })}
              />
              <div class="field">
                <label for={`lop-date-${id}`}>{t('measuredOn')}</label>
                <input
                  id={`lop-date-${id}`}
                  type="date"
                  value={cuff.measuredOn}
                  onInput={(e) => setCuff({ measuredOn: e.currentTarget.value })}
                />
              </div>
            </div>
            <MeasureLop
              patientRef={patientRef}
              site={site}
              cuff={cuff}
              onMeasured={(c) => set({ sites: { ...draft.sites, [key]: c } })}
            />
          </fieldset>
        );
      })}
    </fieldset>
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
      <IndicationFields choices={choices} draft={draft} set={set} />
      <EquipmentFields choices={choices} draft={draft} set={set} />
      <OneRepMaxFields draft={draft} set={set} />
      <CuffFields choices={choices} draft={draft} set={set} sites={sites} patientRef={patientRef} today={today} />
      <button type="submit" disabled={busy || !draft.condition}>
        {busy ? t('making') : submitLabel}
      </button>
    </form>
  );
}
