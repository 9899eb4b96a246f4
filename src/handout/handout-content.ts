import type { PlannedExercise } from '../prescription/plan.schema';
import type { Prescription } from '../prescription/prescription.schema';
import type { HandoutKey, HandoutTextFile, Language } from './handout-text';

/** Everything a handout says, already in the patient's language; the renderer only lays it out. */
export interface HandoutContent {
  lang: Language;
  title: string;
  draftMark: string | null;
  facts: Array<{ label: string; value: string }>;
  whatIsBfr: { heading: string; text: string };
  plan: { heading: string; header: string[]; rows: string[][] };
  howTo: { heading: string; items: Array<{ name: string; text: string }> };
  schedule: { heading: string; lines: string[] };
  progression: { heading: string; lines: string[] };
  notes: { heading: string; lines: string[] };
  checklist: { heading: string; items: string[] };
  stop: { heading: string; items: string[] };
  urgent: { heading: string; items: string[] };
  never: { heading: string; items: string[] };
  log: { heading: string; intro: string; header: string[]; rows: string[][] };
  contact: { heading: string; lines: string[] };
  footer: { ruleset: string; page: string };
}

export interface HandoutContact {
  name: string;
  phone?: string;
  email?: string;
}

const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{([a-z]+)\}/gi, (whole, name: string) => (name in values ? String(values[name]) : whole));

/** A number as the patient reads it: no trailing zeros, the language's decimal mark. */
function number(value: number, lang: Language): string {
  return new Intl.NumberFormat(lang === 'es' ? 'es-ES' : 'en-GB', { maximumFractionDigits: 1 }).format(value);
}

/** The handout's wording in one language: fixed texts, rules-data strings and numbers. */
interface Wording {
  t(key: HandoutKey, values?: Record<string, string | number>): string;
  /** A string of the rules data (exercise names, patient messages), translated when needed. */
  data(english: string): string;
  n(value: number): string;
}

function wording(text: HandoutTextFile, lang: Language): Wording {
  return {
    t: (key, values = {}) => fill(text.texts[key][lang], values),
    data: (english) => (lang === 'en' ? english : (text.translations[english]?.es ?? missing(english))),
    n: (value) => number(value, lang),
  };
}

/** One row of the plan table: exercise, cuff place, cuff setting, load, and reps, rest and tempo. */
function planRow(e: PlannedExercise, { t, data, n }: Wording): string[] {
  const cuffPlace = t(e.site.limb === 'thigh' ? 'cuffPlaceThigh' : 'cuffPlaceUpperArm', { side: t(e.site.side) });
  const { kind, kg, percent1RM } = e.dose.load;
  const load =
    kind === 'body-weight'
      ? t('loadBodyWeight')
      : kind === 'none' || percent1RM === null
        ? t('loadNone')
        : kg !== null
          ? t('loadKg', { kg: n(kg) })
          : t('loadPercent', { percent: n(percent1RM) });
  const bouts = e.dose.bouts.value;
  const reps = bouts
    ? t('bouts', { count: bouts.count, minutes: n(bouts.minutes), rest: bouts.restSeconds })
    : e.dose.sets.value
      ? e.dose.sets.value.join(' - ')
      : t('notApplicable');
  const rest =
    e.dose.restBetweenSets.seconds === null
      ? t('notApplicable')
      : t('restSeconds', { seconds: e.dose.restBetweenSets.seconds });
  const tempo = e.dose.tempo.value
    ? t('tempo', { up: n(e.dose.tempo.value.concentricSeconds), down: n(e.dose.tempo.value.eccentricSeconds) })
    : t('notApplicable');
  return [
    data(e.exercise.patientName),
    cuffPlace,
    [
      t('cuffSetting', { mmHg: e.dose.pressure.mmHg }),
      t('firstSessionSetting', { mmHg: e.dose.pressure.startMmHg }),
      // The steps between the first session and the working pressure, when there are any.
      ...((e.dose.pressure.ramp?.length ?? 0) > 2
        ? [
            t('rampSetting', {
              steps: e.dose.pressure.ramp
                .slice(1)
                .map((r) => r.mmHg)
                .join(', '),
            }),
          ]
        : []),
    ].join('\n'),
    load,
    [reps, rest, tempo].filter((line) => line !== t('notApplicable')).join('\n'),
  ];
}

/** The phase's, cautions' and warnings' messages to the patient, each once, and the clearances given. */
function noteLines(plan: Prescription['plan'], { t, data }: Wording): string[] {
  const messages = [
    plan.phase.patientMessage,
    ...plan.cautions.map((c) => c.patientMessage),
    ...plan.warnings.map((w) => w.patientMessage),
  ];
  // A referral lifted by a clearance is told as the approval it is, never as "your doctor needs to approve".
  const clearances = new Map(
    plan.screening.findings.flatMap((f) =>
      f.cleared && f.clearance ? [[`${f.clearance.by}|${f.clearance.on}`, f.clearance] as const] : [],
    ),
  );
  return [
    ...[...new Set(messages.filter((message): message is string => message !== null))].map(data),
    ...[...clearances.values()].map((c) => t('clearedNote', { by: c.by, date: c.on })),
  ];
}

/**
 * The handout of a stored plan in one language. Every word comes from the rules data: the fixed
 * wording from `handout.data.json`, the exercise and rule wording from the other tables in English
 * or through their Spanish translations.
 */
export function handoutContent(
  prescription: Prescription,
  text: HandoutTextFile,
  lang: Language,
  contact: HandoutContact | null,
): HandoutContent {
  const words = wording(text, lang);
  const { t, data, n } = words;
  const items = (key: HandoutKey) => t(key).split('\n');
  const { plan } = prescription;
  const schedule = plan.schedule;
  const perWeek = schedule.sessionsPerWeek.value;
  const reperfusionSeconds = Math.max(...plan.exercises.map((e) => e.dose.reperfusion.seconds));
  const approval = prescription.approval;

  const sessions = perWeek.max * schedule.programWeeks.value;
  return {
    lang,
    title: t('documentTitle'),
    draftMark: prescription.status === 'approved' ? null : t('draftMark'),
    facts: [
      { label: t('patientLabel'), value: prescription.patientRef },
      { label: t('clinicianLabel'), value: approval?.by ?? prescription.createdBy },
      { label: t('dateLabel'), value: (approval?.at ?? prescription.createdAt).slice(0, 10) },
      {
        label: t('statusLabel'),
        value: approval ? t('statusApproved', { name: approval.by, date: approval.at.slice(0, 10) }) : t('statusDraft'),
      },
    ],
    whatIsBfr: { heading: t('whatIsBfrHeading'), text: t('whatIsBfr') },
    plan: {
      heading: t('yourPlanHeading'),
      header: [
        t('exerciseColumn'),
        t('cuffPlaceColumn'),
        t('cuffSettingColumn'),
        t('loadColumn'),
        [t('repsColumn'), t('restColumn'), t('tempoColumn')].join(' / '),
      ],
      rows: plan.exercises.map((e) => planRow(e, words)),
    },
    howTo: {
      heading: t('howToDoItHeading'),
      items: [...new Map(plan.exercises.map((e) => [e.exercise.id, e])).values()].map((e) => ({
        name: data(e.exercise.patientName),
        text: data(e.exercise.instructions),
      })),
    },
    schedule: {
      heading: t('scheduleHeading'),
      lines: [
        perWeek.min === perWeek.max
          ? t('sessionsPerWeekExact', { count: perWeek.min })
          : t('sessionsPerWeekRange', { min: perWeek.min, max: perWeek.max }),
        t('hoursBetween', { hours: schedule.minHoursBetweenSessions.value }),
        t('programWeeks', { weeks: schedule.programWeeks.value }),
        t('reperfusion', { minutes: n(reperfusionSeconds / 60) }),
        t('firstSession', { count: schedule.maxExercisesFirstSession.value }),
      ],
    },
    progression: {
      heading: t('progressionHeading'),
      lines: [
        data(schedule.progression.value.patientMessage),
        t('progressionCeiling', { percent: schedule.loadCeilingPercent1RM }),
      ],
    },
    notes: { heading: t('notesHeading'), lines: noteLines(plan, words) },
    checklist: { heading: t('checklistHeading'), items: items('checklist') },
    stop: { heading: t('stopHeading'), items: items('stop') },
    urgent: { heading: t('urgentHeading'), items: items('urgent') },
    never: { heading: t('neverHeading'), items: items('never') },
    log: {
      heading: t('logHeading'),
      intro: t('logIntro'),
      header: [
        t('logWeekColumn'),
        t('logDateColumn'),
        t('logDoneColumn'),
        t('logPressureColumn'),
        t('logPainColumn'),
        t('logNotesColumn'),
      ],
      rows: Array.from({ length: sessions }, (_, i) => [String(Math.floor(i / perWeek.max) + 1), '', '', '', '', '']),
    },
    contact: {
      heading: t('contactHeading'),
      lines: contact
        ? [
            t('contactIntro', { name: contact.name }),
            ...(contact.phone ? [t('contactPhone', { phone: contact.phone })] : []),
            ...(contact.email ? [t('contactEmail', { email: contact.email })] : []),
          ]
        : [t('contactBlank')],
    },
    footer: { ruleset: t('rulesetFooter', { version: plan.rulesetVersion.slice(0, 12) }), page: t('pageFooter') },
  };
}

/** Unreachable when the rules data loaded: the translations check refuses a string without Spanish. */
function missing(english: string): never {
  throw new Error(`no Spanish for ${JSON.stringify(english)}`);
}
