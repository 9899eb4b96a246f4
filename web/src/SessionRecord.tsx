import { useT } from './i18n';
import type { DeviceSession } from './types';

/** The session's record: adherence and the pressure of every set. */
export function SessionRecord({ session }: { session: DeviceSession }) {
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
          {t('adherence')}: <strong>{Math.round(session.adherence.adherence * 100)} %</strong> (
          {Math.round(session.adherence.inBandS)} / {Math.round(session.adherence.prescribedAtTargetS)} s, ±
          {session.adherence.bandMmHg} mmHg)
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
