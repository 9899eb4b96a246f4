import { Explained } from './Basis';
import { useCodeText, useT } from './i18n';
import type { Prescription } from './types';

/** A plan value in words: a set scheme as 30-15-15-15, a rule's own message where it gives one. */
function setsText(value: unknown): string {
  if (Array.isArray(value)) return value.join('-');
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'object') return String(value);
  const record = value as Record<string, unknown>;
  if (typeof record.clinicianMessage === 'string') return record.clinicianMessage;
  if ('concentricSeconds' in record && 'eccentricSeconds' in record)
    return `${record.concentricSeconds} s / ${record.eccentricSeconds} s`;
  return Object.entries(record)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

type PlannedExercise = Prescription['plan']['exercises'][number];

/** One exercise as a clinician reads it: every dose value with the rules behind it. */
function ExerciseDose({ exercise: x }: { exercise: PlannedExercise }) {
  const t = useT();
  const code = useCodeText();
  const d = x.dose;
  return (
    <li class="exercise">
      <h4>
        {x.exercise.name} · {code(x.site.limb)} {code(x.site.side)} · {x.exercise.position}
      </h4>
      <dl class="facts">
        <Explained label={t('exerciseId')} basis={x.basis}>
          {x.exercise.id}
        </Explained>
        <Explained label={t('pressure')} basis={[...d.pressure.basis.lopPercent, ...d.pressure.basis.startLopPercent]}>
          <span data-testid="pressure">
            {d.pressure.mmHg} mmHg ({d.pressure.lopPercent} % LOP) · {t('firstSession')}: {d.pressure.startMmHg} mmHg (
            {d.pressure.startLopPercent} % LOP) · LOP {d.pressure.lop.mmHg} mmHg ({d.pressure.lop.source})
          </span>
        </Explained>
        <Explained label={t('load')} basis={d.load.basis}>
          {d.load.kind === 'external'
            ? `${d.load.percent1RM} % 1RM${d.load.kg !== null ? ` = ${d.load.kg} kg` : ''}`
            : d.load.kind === 'body-weight'
              ? t('bodyWeight')
              : t('noLoad')}
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
}

/** How often, how long and how the plan progresses. */
function ScheduleFacts({ schedule }: { schedule: Record<string, { value: unknown; basis: [] }> }) {
  const t = useT();
  return (
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
  );
}

export function PlanView({ prescription }: { prescription: Prescription }) {
  const t = useT();
  const code = useCodeText();
  const plan = prescription.plan;
  return (
    <section class="plan-view" aria-labelledby="plan-title">
      <h2 id="plan-title">
        {t('draftPlan')} {prescription.patientRef} · {t('version')} {prescription.version} ·{' '}
        <span class={`status status-${prescription.status}`} data-testid="plan-status">
          {code(prescription.status)}
        </span>
      </h2>
      {prescription.approval && (
        <p>
          {t('approved', { who: prescription.approval.by, at: new Date(prescription.approval.at).toLocaleString() })}
        </p>
      )}
      <dl class="facts">
        <Explained label={t('phase')} basis={plan.phase.basis}>
          {plan.phase.label} ({plan.phase.stage}; {plan.phase.evidenceGrade})
        </Explained>
      </dl>
      <p class="note">{plan.phase.clinicianMessage}</p>
      <h3>{t('exercises')}</h3>
      <ol class="exercises">
        {plan.exercises.map((x) => (
          <ExerciseDose key={`${x.order}`} exercise={x} />
        ))}
      </ol>
      <h3>{t('schedule')}</h3>
      <ScheduleFacts schedule={plan.schedule as Record<string, { value: unknown; basis: [] }>} />
      {plan.warnings.length > 0 && (
        <>
          <h3>{t('warnings')}</h3>
          <ul class="warnings">
            {plan.warnings.map((w, i) => (
              <li key={i}>
                <strong>{w.severity}</strong>: {w.message}{' '}
                <a href={`/rules/${encodeURIComponent(w.ruleId)}`} target="_blank" rel="noopener">
                  {w.ruleId}
                </a>
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
