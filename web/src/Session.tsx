import { useEffect, useRef, useState } from 'preact/hooks';

import { api, followEvents, problemLines } from './api';
import { PressureChart, type Sample, WINDOW_S } from './Chart';
import { useT } from './i18n';
import { ProblemList } from './Plan';
import { siteKey } from './plan-draft';
import type { Device, DeviceSession, Prescription } from './types';

interface Telemetry {
  elapsedMs: number;
  state: string;
  blockIndex: number | null;
  setIndex: number | null;
  channels: Array<{ channel: string; meanMmHg: number | null; targetMmHg: number | null; inBand: boolean | null }>;
}

interface Program {
  blocks: Array<{ exerciseId: string; channel: string; sets: Array<{ reps: number; workS: number }>; setRestS: number; reperfusionS: number }>;
  limits?: { windowMmHg: number };
}

const ENDED = new Set(['completed', 'aborted']);
const KEEP_SAMPLES = WINDOW_S * 12;

/** How long the cuff's current phase is meant to last, from the program. */
export function prescribedSeconds(program: Program | null, telemetry: Telemetry): number | null {
  const block = program && telemetry.blockIndex !== null ? program.blocks[telemetry.blockIndex] : undefined;
  if (!block) return null;
  if (telemetry.state === 'SET_REST') return block.setRestS;
  if (telemetry.state === 'REPERFUSION') return block.reperfusionS;
  if (telemetry.state === 'HOLDING' || telemetry.state === 'INFLATING') return block.sets[telemetry.setIndex ?? 0]?.workS ?? null;
  return null;
}

function SessionRecord({ session }: { session: DeviceSession }) {
  const t = useT();
  return (
    <section class="record" aria-labelledby="record-title">
      <h3 id="record-title">{t('record')}</h3>
      <p data-testid="session-status">
        {t('status')}: <strong>{session.status}</strong>
        {session.endReason ? ` · ${t('ended', { reason: session.endReason })}` : ''}
      </p>
      {session.adherence && (
        <p data-testid="adherence">
          {t('adherence')}: <strong>{Math.round(session.adherence.adherence * 100)} %</strong> ({Math.round(session.adherence.inBandS)} / {Math.round(session.adherence.prescribedAtTargetS)} s, ±{session.adherence.bandMmHg} mmHg)
        </p>
      )}
      <h4>{t('perSet')}</h4>
      <table data-testid="set-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('exerciseId')}</th>
            <th scope="col">{t('channel')}</th>
            <th scope="col">{t('phase')}</th>
            <th scope="col">{t('setPoint')}</th>
            <th scope="col">{t('min')}</th>
            <th scope="col">{t('mean')}</th>
            <th scope="col">{t('max')}</th>
            <th scope="col">{t('inBand')}</th>
          </tr>
        </thead>
        <tbody>
          {session.sets.map((s, i) => (
            <tr key={i}>
              <td>
                {s.blockIndex + 1}.{s.setIndex + 1}
              </td>
              <td>{s.exerciseId}</td>
              <td>{s.channel}</td>
              <td>{s.phase === 'work' ? t('work') : t('restPhase')}</td>
              <td>{s.targetMmHg}</td>
              <td>{Math.round(s.minMmHg)}</td>
              <td>{Math.round(s.meanMmHg)}</td>
              <td>{Math.round(s.maxMmHg)}</td>
              <td>{Math.round(s.inBandShare * 100)} %</td>
            </tr>
          ))}
        </tbody>
      </table>
      {session.alarms.length > 0 && (
        <ul class="alarms">
          {session.alarms.map((a, i) => (
            <li key={i}>
              <strong>{a.code}</strong> ({a.action}): {a.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function CuffSession({ prescription }: { prescription: Prescription }) {
  const t = useT();
  const sites = [...new Map(prescription.plan.exercises.map((x) => [siteKey(x.site), x.site])).values()];
  const [devices, setDevices] = useState<Device[]>([]);
  const [deviceId, setDeviceId] = useState('');
  const [binding, setBinding] = useState<Record<string, string>>({});
  const [session, setSession] = useState<DeviceSession | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [samples, setSamples] = useState<Record<string, Sample[]>>({});
  const [telemetry, setTelemetry] = useState<Telemetry | null>(null);
  const [phaseStart, setPhaseStart] = useState<{ key: string; at: number } | null>(null);
  const [alarms, setAlarms] = useState<string[]>([]);
  // The stream says the status as it changes; a command's answer may be read before its change is stored.
  const [streamStatus, setStreamStatus] = useState<string | null>(null);
  const stream = useRef<AbortController | null>(null);

  const loadDevices = () =>
    api<{ items: Device[] }>('GET', '/v1/devices').then((list) => {
      setDevices(list.items);
      const free = list.items.find((d) => d.online && !d.busy) ?? list.items[0];
      if (free && !deviceId) {
        setDeviceId(free.deviceId);
        setBinding(Object.fromEntries(sites.map((s, i) => [siteKey(s), free.channels[i] ?? ''])));
      }
    }, (error) => setProblems(problemLines(error)));
  useEffect(() => {
    loadDevices();
    return () => stream.current?.abort();
  }, []);

  const follow = (id: string) => {
    stream.current?.abort();
    const controller = new AbortController();
    stream.current = controller;
    followEvents(
      `/v1/device-sessions/${id}/telemetry`,
      (event) => {
        const data = JSON.parse(event.data);
        if (event.event === 'telemetry') {
          const sample = data as Telemetry;
          setTelemetry(sample);
          const key = `${sample.blockIndex}:${sample.setIndex}:${sample.state}`;
          setPhaseStart((previous) => (previous?.key === key ? previous : { key, at: sample.elapsedMs }));
          setSamples((previous) => {
            const next = { ...previous };
            for (const c of sample.channels) {
              next[c.channel] = [...(previous[c.channel] ?? []), { t: sample.elapsedMs / 1000, mmHg: c.meanMmHg, target: c.targetMmHg }].slice(-KEEP_SAMPLES);
            }
            return next;
          });
        } else if (event.event === 'alarm') {
          setAlarms((previous) => [...previous, `${data.code} (${data.action}): ${data.message}`]);
        } else if (event.event === 'status') {
          setStreamStatus(data.status);
          if (ENDED.has(data.status)) api<DeviceSession>('GET', `/v1/device-sessions/${id}`).then(setSession, () => undefined);
        }
      },
      controller.signal,
    ).then(
      () => api<DeviceSession>('GET', `/v1/device-sessions/${id}`).then(setSession, () => undefined),
      (error) => {
        if (!controller.signal.aborted) setProblems(problemLines(error));
      },
    );
  };

  const push = async () => {
    setBusy('push');
    setProblems([]);
    try {
      const cuffs = sites.filter((s) => binding[siteKey(s)]).map((s) => ({ channel: binding[siteKey(s)], site: s }));
      const created = await api<DeviceSession>('POST', `/v1/prescriptions/${prescription.id}/device-sessions`, { deviceId, cuffs });
      setSession(created);
      setStreamStatus(null);
      setTelemetry(null);
      setSamples({});
      setAlarms([]);
      follow(created.id);
    } catch (error) {
      setProblems(problemLines(error));
    } finally {
      setBusy(null);
    }
  };

  const command = async (name: 'start' | 'pause' | 'resume' | 'next-set' | 'abort') => {
    if (!session) return;
    setBusy(name);
    setProblems([]);
    try {
      setSession(await api<DeviceSession>('POST', `/v1/device-sessions/${session.id}/${name}`, name === 'abort' ? { reason: 'Stopped by the clinician from the web app.' } : undefined));
    } catch (error) {
      setProblems(problemLines(error));
    } finally {
      setBusy(null);
    }
  };

  if (prescription.status !== 'approved') {
    return <p class="note">{t('needApproved')}</p>;
  }
  const device = devices.find((d) => d.deviceId === deviceId);
  const program = (session?.program ?? null) as Program | null;
  const band = program?.limits?.windowMmHg ?? session?.adherence?.bandMmHg ?? 15;
  const status = session ? (ENDED.has(session.status) ? session.status : (streamStatus ?? session.status)) : null;
  const ended = session !== null && ENDED.has(session.status);
  const prescribed = telemetry ? prescribedSeconds(program, telemetry) : null;
  const inPhase = telemetry && phaseStart ? Math.round((telemetry.elapsedMs - phaseStart.at) / 1000) : null;
  return (
    <section class="session" aria-labelledby="session-title">
      <h2 id="session-title">{t('session')}</h2>
      {(!session || ended) && (
        <form
          class="push"
          onSubmit={(e) => {
            e.preventDefault();
            push();
          }}
        >
          <div class="field">
            <label for="session-device">{t('device')}</label>
            <select id="session-device" value={deviceId} onChange={(e) => setDeviceId(e.currentTarget.value)}>
              {devices.map((d) => (
                <option key={d.deviceId} value={d.deviceId}>
                  {d.deviceId} ({d.online ? t('online') : t('offline')}
                  {d.busy ? `, ${t('busy')}` : ''})
                </option>
              ))}
            </select>
          </div>
          <fieldset class="group">
            <legend>{t('bindChannels')}</legend>
            {sites.map((s) => {
              const key = siteKey(s);
              const id = `bind-${key.replace(':', '-')}`;
              return (
                <div class="field" key={key}>
                  <label for={id}>
                    {s.limb} {s.side}
                  </label>
                  <select id={id} value={binding[key] ?? ''} onChange={(e) => setBinding({ ...binding, [key]: e.currentTarget.value })}>
                    <option value="">{t('notUsed')}</option>
                    {(device?.channels ?? []).map((c) => (
                      <option key={c} value={c}>
                        {c}
                      </option>
                    ))}
                  </select>
                </div>
              );
            })}
          </fieldset>
          <button type="submit" disabled={busy !== null || !deviceId}>
            {t('push')}
          </button>
          {busy === 'push' && <p role="status">{t('pushing')}</p>}
        </form>
      )}
      {session && !ended && (
        <div class="controls" role="group" aria-label={t('session')}>
          <button type="button" onClick={() => command('start')} disabled={busy !== null || status !== 'loaded'}>
            {t('start')}
          </button>
          <button type="button" class="secondary" onClick={() => command('pause')} disabled={busy !== null || status !== 'running'}>
            {t('pause')}
          </button>
          <button type="button" class="secondary" onClick={() => command('resume')} disabled={busy !== null || status !== 'paused' || (telemetry !== null && telemetry.state !== 'PAUSED')}>
            {t('resume')}
          </button>
          <button type="button" class="secondary" onClick={() => command('next-set')} disabled={busy !== null || status !== 'running'}>
            {t('nextSet')}
          </button>
          <button type="button" class="danger" onClick={() => command('abort')} disabled={busy !== null}>
            {t('abort')}
          </button>
        </div>
      )}
      {session && (
        <p role="status" data-testid="live-status">
          {t('status')}: <strong>{status}</strong>
          {telemetry && !ended && (
            <>
              {' '}· {t('state')}: {telemetry.state}
              {telemetry.blockIndex !== null && ` · ${t('block', { n: telemetry.blockIndex + 1 })}`}
              {telemetry.setIndex !== null && `, ${t('setN', { n: telemetry.setIndex + 1 })}`}
              {inPhase !== null && (
                <span data-testid="phase-timer">
                  {' '}· {t('inPhase')}: {inPhase} s{prescribed !== null ? ` / ${prescribed} s` : ''}
                </span>
              )}
            </>
          )}
        </p>
      )}
      {session && Object.keys(samples).length > 0 && (
        <div class="charts">
          {Object.entries(samples).map(([channel, list]) => (
            <PressureChart key={channel} channel={channel} samples={list} bandMmHg={band} />
          ))}
        </div>
      )}
      {session && (
        <section aria-labelledby="alarms-title">
          <h3 id="alarms-title">{t('alarms')}</h3>
          <ul class="alarms" aria-live="assertive">
            {alarms.length === 0 ? <li class="none">{t('noAlarms')}</li> : alarms.map((a, i) => <li key={i}>{a}</li>)}
          </ul>
        </section>
      )}
      {problems.length > 0 && <ProblemList problems={problems} />}
      {session && ended && <SessionRecord session={session} />}
    </section>
  );
}
