import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type RunningService, startService } from './service';

const SCREENSHOTS = resolve(__dirname, '..', '..', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

describe('a clinician in the browser', () => {
  let service: RunningService;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    service = await startService();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => console.error('page error:', error.message));
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      await shot(`failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('signs in with the development issuer; the page allows only its own assets', async () => {
    const response = await page.goto(`${service.baseUrl}/app/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('button', { name: 'Sign in (development issuer)' }).waitFor();
    await shot('01-sign-in');
    await page.getByRole('button', { name: 'Sign in (development issuer)' }).click();
    await page.getByText('Signed in as dev-clinician').waitFor();
    expect(
      await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })),
    ).not.toContain('eyJ');
  });

  it('screens a healthy runner and shows the verdict live, with what is missing', async () => {
    await page.getByRole('button', { name: 'New patient' }).click();
    await page.getByLabel("The clinic's reference for the patient (e.g. an MRN)").fill('mrn-e2e-1');
    await page.getByLabel('Date of birth').fill('1994-05-01');
    await page.getByLabel('Administrative sex').selectOption('female');
    await page.getByLabel('Height (cm)').fill('168');
    await page.getByLabel('Weight (kg)').fill('61');
    await page.getByLabel('Systolic pressure at rest (mmHg)').fill('118');
    await page.getByLabel('Diastolic pressure at rest (mmHg)').fill('76');
    await page.getByLabel('Where the cuff goes').selectOption('thigh');
    await page.getByLabel('Which side').selectOption('left');
    await expect.poll(() => page.getByTestId('verdict').textContent(), { timeout: 10_000 }).toContain('incomplete');
    await expect.poll(() => page.locator('.missing').textContent()).toContain('vteHistory');
    // The surgery date appears only once recent surgery is answered yes (the questionnaire's enableWhen).
    expect(await page.getByLabel('Date of the most recent surgery').count()).toBe(0);
    const noes = page.locator('input[type=radio][value=no]');
    const count = await noes.count();
    for (let i = 0; i < count; i += 1) {
      await noes.nth(i).check();
    }
    await page.locator('input[name="answers-recentSurgery"][value="yes"]').check();
    await page.getByLabel('Date of the most recent surgery').fill(isoDay(-63));
    await page.locator('input[name="answers-surgeonApprovedBfr"][value="yes"]').check();
    await expect.poll(() => page.getByTestId('verdict').textContent(), { timeout: 10_000 }).not.toContain('incomplete');
    await shot('02-screening');
  });

  it('records a medical clearance for a referral, and withdraws it when the referral is gone', async () => {
    await page.getByLabel('Systolic pressure at rest (mmHg)').fill('165');
    await page.getByLabel('Diastolic pressure at rest (mmHg)').fill('97');
    await expect.poll(() => page.getByTestId('verdict').textContent(), { timeout: 10_000 }).toContain('refer');
    await page.getByLabel(/refer\.bp-160-179/).check();
    await page.getByLabel('Cleared by (name and role)').fill('Dr Ana Ruiz, general practitioner');
    await page.getByLabel('Date of the clearance').fill(isoDay(-2));
    await page
      .getByLabel('What was cleared, and any conditions')
      .fill('Blood pressure reviewed; cleared for cuff training at a milder pressure.');
    // The cleared referral becomes a caution that keeps the milder band's modifications.
    await expect.poll(() => page.getByTestId('verdict').textContent(), { timeout: 10_000 }).toContain('caution');
    await expect
      .poll(() => page.locator('.finding').filter({ hasText: 'refer.bp-160-179' }).textContent())
      .toContain('cleared: a caution with modifications');
    await shot('02b-clearance');
    await page.getByLabel('Systolic pressure at rest (mmHg)').fill('118');
    await page.getByLabel('Diastolic pressure at rest (mmHg)').fill('76');
    // The referral is gone; the clearance still names it, so its box stays in view to be unticked.
    await expect.poll(() => page.getByTestId('verdict').textContent(), { timeout: 10_000 }).not.toContain('refer');
    // Unticked, it leaves the list with nothing left to clear.
    await page.getByLabel('refer.bp-160-179', { exact: true }).click();
    await expect.poll(() => page.getByLabel(/refer\.bp-160-179/).count()).toBe(0);
    await expect
      .poll(() => page.getByTestId('verdict').textContent(), { timeout: 10_000 })
      .not.toMatch(/refer|incomplete/);
    await expect.poll(() => page.locator('.verdict-panel .problems').count()).toBe(0);
  });

  it('makes a draft plan for an ACL reconstruction and shows every value with its rules', async () => {
    await page.getByRole('button', { name: 'Continue to the plan' }).click();
    await page.getByLabel('Condition', { exact: true }).selectOption('acl-reconstruction');
    await page.getByLabel('Date of the operation (surgical conditions)').fill(isoDay(-63));
    await page.getByLabel('LOP (mmHg)', { exact: true }).fill('180');
    await page.getByLabel('Measured on', { exact: true }).fill(isoDay(0));
    await page.getByRole('button', { name: 'Make the draft plan' }).click();
    await expect.poll(() => page.getByTestId('plan-status').textContent(), { timeout: 15_000 }).toBe('draft');
    const pressure = await page.getByTestId('pressure').first().textContent();
    expect(pressure).toMatch(/\d+ mmHg \(\d+(\.\d+)? % LOP\)/);
    await page.locator('.plan-view details summary').first().click();
    await expect.poll(() => page.locator('.plan-view details[open] .basis li').count()).toBeGreaterThan(0);
    await shot('03-plan');
  });

  it('acknowledges each caution with a note and approves with the contact to print', async () => {
    const boxes = page.getByLabel('I have read this caution and accept it');
    const cautions = await boxes.count();
    for (let i = 0; i < cautions; i += 1) {
      await boxes.nth(i).check();
      await page
        .getByLabel('Note (how the risk is managed)')
        .nth(i)
        .fill('Discussed with the patient; first session supervised.');
    }
    await page.getByLabel('Contact for the patient (name and role)').fill('Sam Lee, physiotherapist');
    await page.getByLabel('Phone', { exact: true }).fill('+34 600 000 000');
    await page.getByRole('button', { name: 'Approve and sign' }).click();
    await expect.poll(() => page.getByTestId('plan-status').textContent(), { timeout: 10_000 }).toBe('approved');
    await shot('04-approved');
  });

  it('opens the handout in English and in Spanish', async () => {
    const handouts: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/handout.pdf'))
        handouts.push(`${r.status()} ${r.headers()['content-type']} ${new URL(r.url()).search}`);
    });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('handout-frame').waitFor();
    await page.getByLabel('Handout language').selectOption('es');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('handout-frame').waitFor();
    await expect.poll(() => handouts).toEqual(['200 application/pdf ?lang=en', '200 application/pdf ?lang=es']);
    await shot('05-handout');
  });

  it('pushes the plan to a simulated cuff, follows the pressure live and shows the record', async () => {
    await page.getByRole('button', { name: 'Cuff session' }).first().click();
    await page.getByLabel('thigh left').selectOption('A');
    await page.getByRole('button', { name: 'Push the plan to the cuff' }).click();
    // The cuff self-tests before its first program: about 20 s on the system clock.
    await expect
      .poll(() => page.getByTestId('live-status').textContent(), { timeout: 60_000, interval: 500 })
      .toContain('loaded');
    await shot('06-pushed');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 10_000 }).toContain('running');
    const pressure = page.getByTestId('pressure-A');
    await expect
      .poll(async () => ((await pressure.getAttribute('d')) ?? '').split('L').length, {
        timeout: 30_000,
        interval: 500,
      })
      .toBeGreaterThan(20);
    // The cuff reaches its set point: the pressure within the band around it.
    await expect
      .poll(
        async () => {
          const caption = (await page.locator('figcaption').first().textContent()) ?? '';
          const [, pressure, target, band] = caption.match(/: (\d+) mmHg · set point (\d+) mmHg ± (\d+)/) ?? [];
          return pressure !== undefined && Math.abs(Number(pressure) - Number(target)) <= Number(band);
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    // The set timer runs against the set's length from the program.
    await expect
      .poll(
        async () =>
          Number(((await page.getByTestId('phase-timer').textContent()) ?? '').match(/(\d+) s \/ \d+ s/)?.[1] ?? -1),
        { timeout: 15_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(5);
    await shot('07-live');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect
      .poll(() => page.getByTestId('live-status').textContent(), { timeout: 10_000 })
      .toContain('Cuff state: PAUSED');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 10_000 }).toContain('running');
    await expect
      .poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 })
      .toContain('Cuff state: HOLDING');
    await page.getByRole('button', { name: 'Next set' }).click();
    await expect
      .poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 })
      .toMatch(/SET_REST|set 2/);
    await page.getByRole('button', { name: 'Deflate and stop' }).click();
    await page.getByTestId('session-status').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('session-status').textContent()).toContain('aborted');
    await expect.poll(() => page.getByTestId('adherence').textContent()).toMatch(/\d+ %/);
    expect(await page.getByTestId('set-table').locator('tbody tr').count()).toBeGreaterThan(0);
    await shot('08-record');
  });

  it('measures the LOP with the cuff and makes a revised draft, listed with the signed version', async () => {
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    await page.locator('details.measure summary').click();
    await page.getByLabel('Cuff unit').selectOption('cuff-2');
    await page.getByLabel('Channel', { exact: true }).selectOption('A');
    await page.getByRole('button', { name: 'Measure with a cuff' }).click();
    // The cuff self-tests again after its program, then ramps up until the pulse vanishes.
    await expect
      .poll(() => page.getByLabel('Measured by').inputValue(), { timeout: 120_000, interval: 1000 })
      .toBe('automatic-cuff');
    const measured = Number(await page.getByLabel('LOP (mmHg)', { exact: true }).inputValue());
    expect(measured).toBeGreaterThan(150);
    expect(measured).toBeLessThan(210);
    await page.getByRole('button', { name: 'Make a revised draft' }).click();
    await expect.poll(() => page.locator('#plan-title').textContent(), { timeout: 15_000 }).toContain('Version 2');
    expect(await page.getByTestId('plan-status').textContent()).toBe('draft');
    await expect.poll(() => page.locator('section[aria-labelledby="history-title"] tbody tr').count()).toBe(2);
    await shot('09-revision');
  });

  it('speaks Spanish', async () => {
    await page.getByLabel('Language', { exact: true }).selectOption('es');
    await page.getByText('Presión del manguito').first().waitFor();
    await page.getByRole('button', { name: 'Hacer un borrador revisado' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    await page.getByRole('button', { name: 'Pacientes' }).click();
    await page.getByText('Pacientes y planes de la clínica').waitFor();
    await expect.poll(() => page.locator('caption').first().textContent()).toContain('mrn-e2e-1');
    expect(await page.locator('table.patient tbody tr').count()).toBe(2);
    await shot('10-patients-es');
  });

  it('asks the screening questionnaire in Spanish, with the answers given in English kept', async () => {
    await page.getByRole('button', { name: 'Cribado' }).click();
    const vte = page.locator('fieldset.question').filter({ hasText: 'trombosis venosa profunda' });
    await vte
      .getByText('¿Ha tenido alguna vez el paciente una trombosis venosa profunda (TVP) o una embolia pulmonar (EP)?', {
        exact: true,
      })
      .waitFor();
    await vte.getByText('En cualquier momento, tratado o no', { exact: false }).waitFor();
    expect(await vte.locator('label').allTextContents()).toEqual(['sí', 'no', 'desconocido']);
    expect(await vte.locator('input[value="no"]').isChecked()).toBe(true);
    await page.getByLabel('Presión arterial sistólica en reposo (mmHg)').waitFor();
    expect(await page.getByLabel('Dónde se coloca el manguito').inputValue()).toBe('thigh');
    await page
      .locator('fieldset.question')
      .filter({ hasText: 'medicación anticoagulante' })
      .getByText('apixabán', { exact: false })
      .waitFor();
    await shot('11-screening-es');
  });
});
