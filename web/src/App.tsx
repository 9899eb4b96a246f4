import { useEffect, useMemo, useState } from 'preact/hooks';

import { api, onSignedOut, problemLines, setToken } from './api';
import { finishOidcSignIn, type Role, signInForDevelopment, type SignInOptions, startOidcSignIn } from './auth';
import { emptyClearance } from './clearance';
import { type Lang, LangContext, translator } from './i18n';
import { Patients } from './Patients';
import { PlanForm, PlanView, ProblemList } from './Plan';
import { Approval, Handout, History } from './PlanActions';
import { choicesFromOpenApi, emptyPlanDraft, type PlanChoices, type PlanDraft, prescriptionBody } from './plan-draft';
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

function SignIn({ options, onSignedIn, lang }: { options: SignInOptions | null; onSignedIn: (who: string) => void; lang: Lang }) {
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

export function App() {
  const [lang, setLang] = useState<Lang>(navigator.language?.startsWith('es') ? 'es' : 'en');
  const t = useMemo(() => translator(lang), [lang]);
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const [who, setWho] = useState<string | null>(null);
  const [view, setView] = useState<View>('patients');
  const [questionnaire, setQuestionnaire] = useState<Questionnaire | null>(null);
  const [choices, setChoices] = useState<PlanChoices | null>(null);
  const [screening, setScreening] = useState<ScreeningDraft>(newScreening);
  const [planDraft, setPlanDraft] = useState<PlanDraft>(emptyPlanDraft);
  const [prescription, setPrescription] = useState<Prescription | null>(null);
  const [problems, setProblems] = useState<string[]>([]);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    onSignedOut(() => {
      setToken(null);
      setWho(null);
    });
    api<SignInOptions>('GET', '/app/sign-in-options').then(async (o) => {
      setOptions(o);
      if (o.oidc) {
        try {
          const signedIn = await finishOidcSignIn(o.oidc);
          if (signedIn) setWho(signedIn);
        } catch (error) {
          setProblems(problemLines(error));
        }
      }
    }, (error) => setProblems(problemLines(error)));
  }, []);
  useEffect(() => {
    if (!who) return;
    Promise.all([api<Questionnaire>('GET', '/v1/screenings/questionnaire'), api<{ components: { schemas: Record<string, never> } }>('GET', '/docs-json')]).then(
      ([q, document]) => {
        setQuestionnaire(q);
        setChoices(choicesFromOpenApi(document));
      },
      (error) => setProblems(problemLines(error)),
    );
  }, [who]);

  const sites = ((screening.answers.limbs as Answers[] | undefined) ?? [])
    .filter((site) => site['limbs.limb'] && site['limbs.side'])
    .map((site) => ({ limb: site['limbs.limb'] as string, side: site['limbs.side'] as string }));
  const patientRef = (screening.answers['patient.ref'] as string | undefined) ?? '';

  const makePlan = async (revise: boolean) => {
    if (!questionnaire) return;
    setProblems([]);
    try {
      const body = prescriptionBody(screeningBody(questionnaire, screening), planDraft);
      const path = revise && prescription ? `/v1/prescriptions/${prescription.id}/revisions` : '/v1/prescriptions';
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

  const nav: Array<[View, string]> = [
    ['patients', t('navPatients')],
    ['screening', t('navScreening')],
    ['plan', t('navPlan')],
    ['session', t('navSession')],
  ];
  return (
    <LangContext.Provider value={{ lang, t }}>
      <header class="top">
        <h1>{t('appTitle')}</h1>
        <div class="top-right">
          <label for="ui-lang">{t('language')}</label>
          <select id="ui-lang" value={lang} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
            <option value="en">English</option>
            <option value="es">Español</option>
          </select>
          {who && (
            <>
              <span>{t('signedInAs', { who })}</span>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  setToken(null);
                  setWho(null);
                  setPrescription(null);
                }}
              >
                {t('signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <p class="disclaimer">{t('decisionSupport')}</p>
      {who && (
        <nav aria-label="main">
          {nav.map(([id, label]) => (
            <button key={id} type="button" class={`tab ${view === id ? 'current' : ''}`} aria-current={view === id ? 'page' : undefined} onClick={() => setView(id)}>
              {label}
            </button>
          ))}
        </nav>
      )}
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
        {who && view === 'screening' && questionnaire && <ScreeningForm questionnaire={questionnaire} draft={screening} onDraft={setScreening} onContinue={() => setView('plan')} />}
        {who && view === 'plan' && choices && (
          <div class="plan-page">
            <PlanForm
              choices={choices}
              draft={planDraft}
              onDraft={setPlanDraft}
              sites={sites}
              patientRef={patientRef}
              today={today()}
              submitLabel={prescription && prescription.patientRef === patientRef ? t('revisePlan') : t('makePlan')}
              onSubmit={() => makePlan(prescription !== null && prescription.patientRef === patientRef)}
            />
            {prescription && (
              <div class="plan-result">
                <PlanView prescription={prescription} />
                <Approval prescription={prescription} onApproved={setPrescription} />
                <Handout prescription={prescription} />
                {prescription.status === 'approved' && (
                  <button type="button" onClick={() => setView('session')}>
                    {t('navSession')}
                  </button>
                )}
                <History patientRef={prescription.patientRef} currentId={prescription.id} currentStatus={prescription.status} onOpen={openPrescription} />
              </div>
            )}
          </div>
        )}
        {who && view === 'session' && (prescription ? <CuffSession prescription={prescription} /> : <p class="note">{t('needApproved')}</p>)}
      </main>
    </LangContext.Provider>
  );
}
