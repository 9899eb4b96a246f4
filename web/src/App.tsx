import { useEffect, useMemo, useState } from 'preact/hooks';

import { api, onSignedOut, problemLines, setToken } from './api';
import { finishOidcSignIn, type Role, signInForDevelopment, type SignInOptions, startOidcSignIn } from './auth';
import { emptyClearance } from './clearance';
import { ProblemList } from './controls';
import { type Lang, LangContext, patientTextFor, translator, useT } from './i18n';
import { Patients } from './Patients';
import { Approval, Handout, History } from './PlanActions';
import { choicesFromOpenApi, emptyPlanDraft, type PlanChoices, type PlanDraft, prescriptionBody } from './plan-draft';
import { PlanForm } from './PlanForm';
import { PlanView } from './PlanView';
import type { Answers, Questionnaire } from './questionnaire';
import { ScreeningForm, type ScreeningDraft, screeningBody } from './Screening';
import { CuffSession } from './Session';
import type { Prescription } from './types';

type View = 'patients' | 'screening' | 'plan' | 'session';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function newScreening(): ScreeningDraft {
  return { answers: { 'bloodPressure.measuredOn': today(), limbs: [{}] }, clearance: emptyClearance() };
}

function SignIn({
  options,
  onSignedIn,
  lang,
}: {
  options: SignInOptions | null;
  onSignedIn: (who: string) => void;
  lang: Lang;
}) {
  const t = translator(lang);
  const [role, setRole] = useState<Role>('clinician');
  const [problems, setProblems] = useState<string[]>([]);
  if (!options) return null;
  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{t('signIn')}</h2>
      {options.development && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              onSignedIn(await signInForDevelopment(role));
            } catch (error) {
              setProblems(problemLines(error));
            }
          }}
        >
          <div class="field">
            <label for="dev-role">{t('role')}</label>
            <select id="dev-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              <option value="clinician">clinician</option>
              <option value="viewer">viewer</option>
              <option value="admin">admin</option>
            </select>
          </div>
          <button type="submit">{t('signInDev')}</button>
        </form>
      )}
      {options.oidc && (
        <button type="button" onClick={() => startOidcSignIn(options.oidc!)}>
          {t('signInOidc')}
        </button>
      )}
      {!options.development && !options.oidc && <p>{t('signInNone')}</p>}
      {problems.length > 0 && <ProblemList problems={problems} />}
    </section>
  );
}

/** The sign-in options, and who is signed in: after an OIDC redirect, the code is exchanged here. */
function useSignIn(onProblem: (problems: string[]) => void) {
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const [who, setWho] = useState<string | null>(null);
  useEffect(() => {
    onSignedOut(() => {
      setToken(null);
      setWho(null);
    });
    api<SignInOptions>('GET', '/app/sign-in-options').then(
      async (o) => {
        setOptions(o);
        if (o.oidc) {
          try {
            const signedIn = await finishOidcSignIn(o.oidc);
            if (signedIn) setWho(signedIn);
          } catch (error) {
            onProblem(problemLines(error));
          }
        }
      },
      (error) => onProblem(problemLines(error)),
    );
  }, []);
  return { options, who, setWho };
}

/** What the forms are built from, read once signed in: the plan choices, the questionnaire and the patient wording in the UI language. */
function useClinicalWording(who: string | null, lang: Lang, onProblem: (problems: string[]) => void) {
  const [choices, setChoices] = useState<PlanChoices | null>(null);
  const [questionnaire, setQuestionnaire] = useState<Questionnaire | null>(null);
  const [spanishPatientText, setSpanishPatientText] = useState<Record<string, string> | null>(null);
  const patientText = useMemo(() => patientTextFor(lang, spanishPatientText), [lang, spanishPatientText]);
  useEffect(() => {
    if (!who) return;
    api<{ components: { schemas: Record<string, never> } }>('GET', '/docs-json').then(
      (document) => setChoices(choicesFromOpenApi(document)),
      (error) => onProblem(problemLines(error)),
    );
  }, [who]);
  // The questionnaire in the UI language; the answers are kept by linkId, so switching keeps them.
  useEffect(() => {
    if (!who) return;
    let current = true;
    api<Questionnaire>('GET', `/v1/screenings/questionnaire?lang=${lang}`).then(
      (q) => current && setQuestionnaire(q),
      (error) => current && onProblem(problemLines(error)),
    );
    return () => {
      current = false;
    };
  }, [who, lang]);
  useEffect(() => {
    if (!who || lang !== 'es' || spanishPatientText) return;
    api<{ texts: Record<string, string> }>('GET', '/v1/patient-wording?lang=es').then(
      (wording) => setSpanishPatientText(wording.texts),
      (error) => onProblem(problemLines(error)),
    );
  }, [who, lang, spanishPatientText]);
  return { choices, questionnaire, patientText };
}

/** The title, the UI language and who is signed in. */
function TopBar({
  lang,
  onLang,
  who,
  onSignOut,
}: {
  lang: Lang;
  onLang: (lang: Lang) => void;
  who: string | null;
  onSignOut: () => void;
}) {
  const t = useT();
  return (
    <header class="top">
      <h1>{t('appTitle')}</h1>
      <div class="top-right">
        <label for="ui-lang">{t('language')}</label>
        <select id="ui-lang" value={lang} onChange={(e) => onLang(e.currentTarget.value as Lang)}>
          <option value="en">English</option>
          <option value="es">Español</option>
        </select>
        {who && (
          <>
            <span>{t('signedInAs', { who })}</span>
            <button type="button" class="secondary" onClick={onSignOut}>
              {t('signOut')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}

/** The plan form beside the plan it made: the plan, its approval, handout, history and the way to the cuff. */
function PlanPage({
  form,
  prescription,
  onPrescription,
  onOpen,
  onSession,
}: {
  form: Parameters<typeof PlanForm>[0];
  prescription: Prescription | null;
  onPrescription: (p: Prescription) => void;
  onOpen: (id: string) => void;
  onSession: () => void;
}) {
  const t = useT();
  return (
    <div class="plan-page">
      <PlanForm {...form} />
      {prescription && (
        <div class="plan-result">
          <PlanView prescription={prescription} />
          <Approval prescription={prescription} onApproved={onPrescription} />
          <Handout prescription={prescription} />
          {prescription.status === 'approved' && (
            <button type="button" onClick={onSession}>
              {t('navSession')}
            </button>
          )}
          <History
            patientRef={prescription.patientRef}
            currentId={prescription.id}
            currentStatus={prescription.status}
            onOpen={onOpen}
          />
        </div>
      )}
    </div>
  );
}

/** The cuff sites the screening names, each with its limb and side given. */
function cuffSitesOf(screening: ScreeningDraft): Array<{ limb: string; side: string }> {
  return ((screening.answers.limbs as Answers[] | undefined) ?? [])
    .filter((site) => site['limbs.limb'] && site['limbs.side'])
    .map((site) => ({ limb: site['limbs.limb'] as string, side: site['limbs.side'] as string }));
}

/** The app's pages, the current one marked. */
function Tabs({ view, onView }: { view: View; onView: (view: View) => void }) {
  const t = useT();
  const pages: Array<[View, string]> = [
    ['patients', t('navPatients')],
    ['screening', t('navScreening')],
    ['plan', t('navPlan')],
    ['session', t('navSession')],
  ];
  return (
    <nav aria-label="main">
      {pages.map(([id, label]) => (
        <button
          key={id}
          type="button"
          class={`tab ${view === id ? 'current' : ''}`}
          aria-current={view === id ? 'page' : undefined}
          onClick={() => onView(id)}
        >
          {label}
        </button>
      ))}
    </nav>
  );
}

export function App() {
  const [lang, setLang] = useState<Lang>(navigator.language?.startsWith('es') ? 'es' : 'en');
  const t = useMemo(() => translator(lang), [lang]);
  const [view, setView] = useState<View>('patients');
  const [screening, setScreening] = useState<ScreeningDraft>(newScreening);
  const [planDraft, setPlanDraft] = useState<PlanDraft>(emptyPlanDraft);
  const [prescription, setPrescription] = useState<Prescription | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const { options, who, setWho } = useSignIn(setProblems);
  const { choices, questionnaire, patientText } = useClinicalWording(who, lang, setProblems);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const sites = cuffSitesOf(screening);
  const patientRef = (screening.answers['patient.ref'] as string | undefined) ?? '';
  const revising = prescription !== null && prescription.patientRef === patientRef;

  const makePlan = async () => {
    if (!questionnaire) return;
    setProblems([]);
    try {
      const body = prescriptionBody(screeningBody(questionnaire, screening), planDraft);
      const path = revising ? `/v1/prescriptions/${prescription.id}/revisions` : '/v1/prescriptions';
      setPrescription(await api<Prescription>('POST', path, body));
    } catch (error) {
      setProblems(problemLines(error));
    }
  };
  const openPrescription = async (id: string) => {
    try {
      setPrescription(await api<Prescription>('GET', `/v1/prescriptions/${id}`));
      setView('plan');
    } catch (error) {
      setProblems(problemLines(error));
    }
  };

  return (
    <LangContext.Provider value={{ lang, t, patientText }}>
      <TopBar
        lang={lang}
        onLang={setLang}
        who={who}
        onSignOut={() => {
          setToken(null);
          setWho(null);
          setPrescription(null);
        }}
      />
      <p class="disclaimer">{t('decisionSupport')}</p>
      {who && <Tabs view={view} onView={setView} />}
      <main>
        {problems.length > 0 && <ProblemList problems={problems} title={view === 'plan' ? t('noPlan') : undefined} />}
        {!who && <SignIn options={options} lang={lang} onSignedIn={setWho} />}
        {who && view === 'patients' && (
          <Patients
            onOpen={openPrescription}
            onNew={() => {
              setScreening(newScreening());
              setPlanDraft(emptyPlanDraft());
              setPrescription(null);
              setView('screening');
            }}
          />
        )}
        {who && view === 'screening' && questionnaire && (
          <ScreeningForm
            questionnaire={questionnaire}
            draft={screening}
            onDraft={setScreening}
            onContinue={() => setView('plan')}
          />
        )}
        {who && view === 'plan' && choices && (
          <PlanPage
            form={{
              choices,
              draft: planDraft,
              onDraft: setPlanDraft,
              sites,
              patientRef,
              today: today(),
              submitLabel: revising ? t('revisePlan') : t('makePlan'),
              onSubmit: makePlan,
            }}
            prescription={prescription}
            onPrescription={setPrescription}
            onOpen={openPrescription}
            onSession={() => setView('session')}
          />
        )}
        {who &&
          view === 'session' &&
          (prescription ? <CuffSession prescription={prescription} /> : <p class="note">{t('needApproved')}</p>)}
      </main>
    </LangContext.Provider>
  );
}
