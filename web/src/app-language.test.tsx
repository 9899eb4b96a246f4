import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { App } from './App';
import type { Questionnaire } from './questionnaire';

/** The questionnaire as the service writes it in each language, cut down to one question with help. */
const QUESTIONNAIRE: Record<'en' | 'es', Questionnaire> = {
  en: {
    language: 'en',
    item: [
      {
        linkId: 'answers',
        text: 'Screening questions: yes, no or unknown',
        type: 'group',
        item: [
          {
            linkId: 'answers.vteHistory',
            text: 'Has the patient ever had a deep-vein thrombosis (DVT) or a pulmonary embolism (PE)? (left unanswered = unknown)',
            type: 'choice',
            answerOption: ['yes', 'no', 'unknown'].map((code) => ({ valueCoding: { code, display: code } })),
            item: [
              { linkId: 'answers.vteHistory.help', type: 'display', text: 'At any time in the past, treated or not.' },
            ],
          },
        ],
      },
    ],
  },
  es: {
    language: 'es',
    item: [
      {
        linkId: 'answers',
        text: 'Preguntas del cribado: sí, no o desconocido',
        type: 'group',
        item: [
          {
            linkId: 'answers.vteHistory',
            text: '¿Ha tenido alguna vez el paciente una trombosis venosa profunda (TVP) o una embolia pulmonar (EP)? (sin respuesta = desconocido)',
            type: 'choice',
            answerOption: [
              ['yes', 'sí'],
              ['no', 'no'],
              ['unknown', 'desconocido'],
            ].map(([code, display]) => ({ valueCoding: { code, display } })),
            item: [{ linkId: 'answers.vteHistory.help', type: 'display', text: 'En cualquier momento, tratado o no.' }],
          },
        ],
      },
    ],
  },
};

const FINDING = {
  verdict: 'contraindicated',
  ruleId: 'ci.vte-history',
  ruleVersion: 1,
  title: 'History of DVT or PE',
  clinicianMessage: 'Do not use BFR.',
  patientMessage: 'BFR is not safe for you.',
  evidence: [],
};

/** The service's answers to the calls the app makes, by method and path. */
function service(calls: string[]) {
  return vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    calls.push(`${method} ${url}`);
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const lang = /[?&]lang=(\w+)/.exec(url)?.[1];
    if (url === '/app/sign-in-options') return json({ development: true, oidc: null });
    if (url === '/app/dev-token') return json({ accessToken: 'token', subject: 'dev-clinician' });
    if (url.startsWith('/v1/prescriptions')) return json({ items: [], nextCursor: null });
    if (url.startsWith('/v1/screenings/questionnaire')) return json(QUESTIONNAIRE[lang as 'en' | 'es']);
    if (url === '/v1/screenings/evaluations') {
      const answered =
        (JSON.parse(String(init.body)) as { answers?: Record<string, string> }).answers?.vteHistory === 'yes';
      return json({
        verdict: answered ? 'contraindicated' : 'incomplete',
        findings: answered ? [FINDING] : [],
        missing: [],
        limbs: [],
      });
    }
    if (url === '/v1/patient-wording?lang=es')
      return json({ lang: 'es', texts: { 'BFR is not safe for you.': 'El BFR no es seguro para usted.' } });
    return json({ status: 404, title: 'Not Found' }, 404);
  });
}

const settle = () => act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('the app in the clinician’s language', () => {
  it('fetches the questionnaire in the UI language, again on switching, keeping the answers, and shows the patient message in Spanish', async () => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', service(calls));
    const root = document.createElement('div');
    document.body.append(root);
    await act(() => render(<App />, root));
    await settle();
    await act(() => root.querySelector<HTMLFormElement>('.sign-in form')!.requestSubmit());
    await settle();
    await act(() => [...root.querySelectorAll<HTMLButtonElement>('nav button')][1].click());
    await settle();

    expect(calls).toContain('GET /v1/screenings/questionnaire?lang=en');
    const legend = () => root.querySelector('fieldset.question legend')?.textContent;
    const help = () => root.querySelector('fieldset.question .help')?.textContent;
    expect(legend()).toBe('Has the patient ever had a deep-vein thrombosis (DVT) or a pulmonary embolism (PE)?');
    expect(help()).toBe('At any time in the past, treated or not.');
    await act(() => root.querySelector<HTMLInputElement>('input[type="radio"][value="yes"]')!.click());
    await vi.waitFor(() => expect(root.querySelector('.finding')?.textContent).toContain('BFR is not safe for you.'));
    expect(root.querySelector('[data-testid="verdict"] strong')?.textContent).toBe('contraindicated');

    const select = root.querySelector<HTMLSelectElement>('#ui-lang')!;
    select.value = 'es';
    await act(() => {
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await settle();

    expect(calls).toContain('GET /v1/screenings/questionnaire?lang=es');
    expect(document.documentElement.lang).toBe('es');
    expect(legend()).toBe(
      '¿Ha tenido alguna vez el paciente una trombosis venosa profunda (TVP) o una embolia pulmonar (EP)?',
    );
    expect(help()).toBe('En cualquier momento, tratado o no.');
    expect([...root.querySelectorAll('fieldset.question label')].map((l) => l.textContent)).toEqual([
      'sí',
      'no',
      'desconocido',
    ]);
    expect(root.querySelector<HTMLInputElement>('input[type="radio"][value="yes"]')!.checked).toBe(true);
    await vi.waitFor(() =>
      expect(root.querySelector('.finding')?.textContent).toContain('El BFR no es seguro para usted.'),
    );
    // The verdict's code in Spanish too; in English it is its own word.
    expect(root.querySelector('[data-testid="verdict"] strong')?.textContent).toBe('contraindicado');
    expect(root.querySelector('.finding strong')?.textContent).toBe('contraindicado');
  });
});
