import { useEffect, useState } from 'preact/hooks';

import { api, problemLines } from './api';
import { PressureChart } from './Chart';
import { ProblemList } from './controls';
import { useCodeText, useT } from './i18n';
import { ENDED, prescribedSeconds, type Program, type Telemetry, useLiveSession } from './live-session';
import { siteKey } from './plan-draft';
import { SessionRecord } from './SessionRecord';
import type { Device, DeviceSession, Prescription } from './types';

type Sites = Array<{ limb: string; side: string }>;

/** Which cuff, and which of its channels holds each cuff site. */
function PushForm({
  devices,
  deviceId,
  onDevice,
  sites,
  binding,
  onBinding,
  busy,
  onPush,
}: {
  devices: Device[];
  deviceId: string;
  onDevice: (id: string) => void;
  sites: Sites;
  binding: Record<string, string>;
  onBinding: (b: Record<string, string>) => void;
  busy: string | null;
  onPush: () => void;
}) {
  const t = useT();
  const code = useCodeText();
  const device = devices.find((d) => d.deviceId === deviceId);
  return (
    <form
      class="push"
      onSubmit={(e) => {
        e.preventDefault();
        onPush();
      }}
    >
      <div class="field">
        <label for="session-device">{t('device')}</label>
        <select id="session-device" value={deviceId} onChange={(e) => onDevice(e.currentTarget.value)}>
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
                {code(s.limb)} {code(s.side)}
              </label>
              <select
                id={id}
                value={binding[key] ?? ''}
                onChange={(e) => onBinding({ ...binding, [key]: e.currentTarget.value })}
              >
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
  );
}

type Command = 'start' | 'pause' | 'resume' | 'next-set' | 'abort';

/** The session's commands, each enabled only in the states where the cuff accepts it. */
function SessionControls({
  status,
  telemetry,
  busy,
  onCommand,
}: {
  status: string | null;
  telemetry: Telemetry | null;
  busy: string | null;
  onCommand: (name: Command) => void;
}) {
  const t = useT();
  return (
    <div class="controls" role="group" aria-label={t('session')}>
      <button type="button" onClick={() => onCommand('start')} disabled={busy !== null || status !== 'loaded'}>
        {t('start')}
      </button>
      <button
        type="button"
        class="secondary"
        onClick={() => onCommand('pause')}
        disabled={busy !== null || status !== 'running'}
      >
        {t('pause')}
      </button>
      <button
        type="button"
        class="secondary"
        onClick={() => onCommand('resume')}
        disabled={busy !== null || status !== 'paused' || (telemetry !== null && telemetry.state !== 'PAUSED')}
      >
        {t('resume')}
      </button>
      <button
        type="button"
        class="secondary"
        onClick={() => onCommand('next-set')}
        disabled={busy !== null || status !== 'running'}
      >
        {t('nextSet')}
      </button>
      <button type="button" class="danger" onClick={() => onCommand('abort')} disabled={busy !== null}>
        {t('abort')}
      </button>
    </div>
  );
}

/** The session's status, and while it runs the cuff's state, block, set and the time in this phase. */
function LiveStatus({
  status,
  telemetry,
  inPhase,
  prescribed,
  ended,
}: {
  status: string | null;
  telemetry: Telemetry | null;
  inPhase: number | null;
  prescribed: number | null;
  ended: boolean;
}) {
  const t = useT();
  const code = useCodeText();
  return (
    <p role="status" data-testid="live-status">
      {t('status')}: <strong>{status && code(status)}</strong>
      {telemetry && !ended && (
        <>
          {' '}
          · {t('state')}: {telemetry.state}
          {telemetry.blockIndex !== null && ` · ${t('block', { n: telemetry.blockIndex + 1 })}`}
          {telemetry.setIndex !== null && `, ${t('setN', { n: telemetry.setIndex + 1 })}`}
          {inPhase !== null && (
            <span data-testid="phase-timer">
              {' '}
              · {t('inPhase')}: {inPhase} s{prescribed !== null ? ` / ${prescribed} s` : ''}
            </span>
          )}
        </>
      )}
    </p>
  );
}

/** The cuffs the service knows, the one chosen (the first free one to begin with), and its channel per cuff site. */
function useCuffChoice(sites: Sites, onProblem: (problems: string[]) => void) {
  const [devices, setDevices] = useState<Device[]>([]);
  const [deviceId, setDeviceId] = useState('');
  const [binding, setBinding] = useState<Record<string, string>>({});
  useEffect(() => {
    api<{ items: Device[] }>('GET', '/v1/devices').then(
      (list) => {
        setDevices(list.items);
        const free = list.items.find((d) => d.online && !d.busy) ?? list.items[0];
        if (free) {
          setDeviceId(free.deviceId);
          setBinding(Object.fromEntries(sites.map((s, i) => [siteKey(s), free.channels[i] ?? ''])));
        }
      },
      (error) => onProblem(problemLines(error)),
    );
  }, []);
  return { devices, deviceId, setDeviceId, binding, setBinding };
}

/** The alarms the cuff raised in this session, as they happen. */
function AlarmList({ alarms }: { alarms: string[] }) {
  const t = useT();
  return (
    <section aria-labelledby="alarms-title">
      <h3 id="alarms-title">{t('alarms')}</h3>
      <ul class="alarms" aria-live="assertive">
        {alarms.length === 0 ? <li class="none">{t('noAlarms')}</li> : alarms.map((a, i) => <li key={i}>{a}</li>)}
      </ul>
    </section>
  );
}

export function CuffSession({ prescription }: { prescription: Prescription }) {
  const t = useT();
  const sites = [...new Map(prescription.plan.exercises.map((x) => [siteKey(x.site), x.site])).values()];
  const [session, setSession] = useState<DeviceSession | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const { devices, deviceId, setDeviceId, binding, setBinding } = useCuffChoice(sites, setProblems);
  const live = useLiveSession(
    (id) => api<DeviceSession>('GET', `/v1/device-sessions/${id}`).then(setSession, () => undefined),
    setProblems,
  );

  const push = async () => {
    setBusy('push');
    setProblems([]);
    try {
      const cuffs = sites.filter((s) => binding[siteKey(s)]).map((s) => ({ channel: binding[siteKey(s)], site: s }));
      const created = await api<DeviceSession>('POST', `/v1/prescriptions/${prescription.id}/device-sessions`, {
        deviceId,
        cuffs,
      });
      setSession(created);
      live.follow(created.id);
    } catch (error) {
      setProblems(problemLines(error));
    } finally {
      setBusy(null);
    }
  };

  const command = async (name: Command) => {
    if (!session) return;
    setBusy(name);
    setProblems([]);
    try {
      setSession(
        await api<DeviceSession>(
          'POST',
          `/v1/device-sessions/${session.id}/${name}`,
          name === 'abort' ? { reason: 'Stopped by the clinician from the web app.' } : undefined,
        ),
      );
    } catch (error) {
      setProblems(problemLines(error));
    } finally {
      setBusy(null);
    }
  };

  if (prescription.status !== 'approved') {
    return <p class="note">{t('needApproved')}</p>;
  }
  const program = (session?.program ?? null) as Program | null;
  const band = program?.limits?.windowMmHg ?? session?.adherence?.bandMmHg ?? 15;
  const status = session ? (ENDED.has(session.status) ? session.status : (live.streamStatus ?? session.status)) : null;
  const ended = session !== null && ENDED.has(session.status);
  const prescribed = live.telemetry ? prescribedSeconds(program, live.telemetry) : null;
  return (
    <section class="session" aria-labelledby="session-title">
      <h2 id="session-title">{t('session')}</h2>
      {(!session || ended) && (
        <PushForm
          devices={devices}
          deviceId={deviceId}
          onDevice={setDeviceId}
          sites={sites}
          binding={binding}
          onBinding={setBinding}
          busy={busy}
          onPush={push}
        />
      )}
      {session && !ended && (
        <SessionControls status={status} telemetry={live.telemetry} busy={busy} onCommand={command} />
      )}
      {session && (
        <LiveStatus
          status={status}
          telemetry={live.telemetry}
          inPhase={live.inPhase}
          prescribed={prescribed}
          ended={ended}
        />
      )}
      {session && Object.keys(live.samples).length > 0 && (
        <div class="charts">
          {Object.entries(live.samples).map(([channel, list]) => (
            <PressureChart key={channel} channel={channel} samples={list} bandMmHg={band} />
          ))}
        </div>
      )}
      {session && <AlarmList alarms={live.alarms} />}
      {problems.length > 0 && <ProblemList problems={problems} />}
      {session && ended && <SessionRecord session={session} />}
    </section>
  );
}
