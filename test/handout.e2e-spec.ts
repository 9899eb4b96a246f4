import { PDFParse } from 'pdf-parse';
import textReadability from 'text-readability';

import { handoutContent } from '../src/handout/handout-content';
import { handoutText } from '../src/handout/handout-text';
import type { Prescription } from '../src/prescription/prescription.schema';
import { RuleCatalogue } from '../src/rules/catalogue';
import { onScreeningDay, patellofemoralRequest, prescriptionRequest, SCREENED_ON } from './factories';
import { type Caller, startTestApp, type TestApp } from './test-app';

/** A canvas of pdfjs's Node canvas factory and its 2D context. */
interface PdfCanvas {
  canvas: { width: number; height: number };
  context: { getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray } };
}

/** The part of pdfjs's document API the structure and rendering tests read. */
interface PdfDocument {
  numPages: number;
  canvasFactory: { create(width: number, height: number): PdfCanvas };
  getMetadata(): Promise<{ info: object }>;
  getMarkInfo(): Promise<{ Marked: boolean } | null>;
  getPage(n: number): Promise<{
    view: number[];
    getViewport(options: { scale: number }): { width: number; height: number };
    render(options: { canvasContext: PdfCanvas['context']; canvas: PdfCanvas['canvas']; viewport: object }): {
      promise: Promise<void>;
    };
    getStructTree(): Promise<unknown>;
    getTextContent(): Promise<{ items: unknown[] }>;
  }>;
}

const CONTACT = { name: 'Sam Lee, physiotherapist', phone: '+44 20 7946 0000', email: 'sam.lee@clinic.example' };

/** Text of each page, as a reader would get it. */
async function pagesOf(pdf: Buffer): Promise<string[]> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const result = await parser.getText();
    return result.pages.map((page: { text: string }) => page.text.replace(/\s+/g, ' '));
  } finally {
    await parser.destroy();
  }
}

/** Share of dark pixels of each page, rendered in grey at 30 dpi by pdfjs on its Node canvas (@napi-rs/canvas). */
async function inkPerPage(pdf: Buffer): Promise<number[]> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  const document = await (parser as unknown as { load(): Promise<PdfDocument> }).load();
  try {
    const shares: number[] = [];
    for (let i = 1; i <= document.numPages; i++) {
      const page = await document.getPage(i);
      const viewport = page.getViewport({ scale: 30 / 72 });
      const { canvas, context } = document.canvasFactory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
      await page.render({ canvasContext: context, canvas, viewport }).promise;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let dark = 0;
      for (let p = 0; p < data.length; p += 4) {
        // Grey as poppler computes it, over white paper where the page left the canvas transparent.
        const grey = 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
        if (255 - (data[p + 3] / 255) * (255 - grey) < 160) dark += 1;
      }
      shares.push(dark / (data.length / 4));
    }
    return shares;
  } finally {
    await parser.destroy();
  }
}

describe('GET /v1/prescriptions/{id}/handout.pdf', () => {
  let sut: TestApp;
  let clinician: Caller;
  let draft: Prescription;
  let approved: Prescription;

  beforeAll(async () => {
    sut = await startTestApp({}, { clock: onScreeningDay() });
    clinician = await sut.as('clinician', { subject: 'sam.lee' });
    draft = (await clinician.post('/v1/prescriptions', prescriptionRequest()).expect(201)).body;
    const toApprove = (await clinician.post('/v1/prescriptions', prescriptionRequest()).expect(201))
      .body as Prescription;
    const acknowledgements = toApprove.plan.cautions.map((c) => ({ caution: c.id }));
    approved = (
      await clinician
        .post(`/v1/prescriptions/${toApprove.id}/approve`, { acknowledgements, contact: CONTACT })
        .expect(200)
    ).body;
  });

  afterAll(async () => {
    await sut.close();
  });

  const handout = (id: string, lang?: string) =>
    clinician
      .get(`/v1/prescriptions/${id}/handout.pdf${lang ? `?lang=${lang}` : ''}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });

  it('prints every exercise, every cuff setting, the warnings, the contact and the ruleset version of an approved plan', async () => {
    const res = await handout(approved.id).expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pages = await pagesOf(res.body);
    const text = pages.join(' ');
    const { texts } = sut.app.get(RuleCatalogue).table(handoutText);
    for (const exercise of approved.plan.exercises) {
      expect(text).toContain(exercise.exercise.patientName);
      expect(text).toContain(`${exercise.dose.pressure.mmHg} mmHg`);
      expect(text).toContain(`${exercise.dose.pressure.startMmHg} mmHg`);
    }
    for (const key of ['stop', 'urgent', 'never', 'checklist'] as const) {
      for (const item of texts[key].en.split('\n')) {
        expect(text).toContain(item.replace(/\s+/g, ' ').slice(0, 40));
      }
    }
    expect(text).toContain(texts.whatIsBfr.en.slice(0, 40));
    expect(text).toContain(CONTACT.phone);
    expect(text).toContain(approved.plan.phase.patientMessage.slice(0, 40));
    expect(text).toContain(approved.plan.rulesetVersion.slice(0, 12));
    expect(text).not.toContain(texts.draftMark.en);
    pages.forEach((page, i) => expect(page).toContain(`${i + 1}`));
  });

  it('tells a cleared referral as the approval it is, naming who gave it, never as an approval still needed', async () => {
    const answers = { ...patellofemoralRequest().answers, anticoagulants: 'yes' as const };
    const clearances = [
      {
        findings: ['refer.anticoagulants'],
        by: 'Dr A. Shah, haematologist',
        on: SCREENED_ON,
        note: 'Anticoagulation stable; BFR allowed.',
      },
    ];
    const cleared = (
      await clinician.post('/v1/prescriptions', patellofemoralRequest({ answers, clearances })).expect(201)
    ).body as Prescription;
    const referral = cleared.plan.screening.findings.find((f) => f.ruleId === 'refer.anticoagulants')!;
    expect(referral).toMatchObject({ cleared: true, clearance: clearances[0] });
    const text = (await pagesOf((await handout(cleared.id).expect(200)).body)).join(' ').replace(/\s+/g, ' ');
    expect(text).toContain(`Dr A. Shah, haematologist approved cuff training for you on ${SCREENED_ON}`);
    expect(text).not.toContain(referral.patientMessage.slice(0, 40));
  });

  it('marks every page of a draft "not for use"', async () => {
    const pages = await pagesOf((await handout(draft.id).expect(200)).body);
    const { texts } = sut.app.get(RuleCatalogue).table(handoutText);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(page).toContain(texts.draftMark.en);
    }
  });

  it("prints the whole handout in Spanish, the exercises and the rules' messages included", async () => {
    const res = await handout(approved.id, 'es').expect(200);
    const text = (await pagesOf(res.body)).join(' ');
    const { texts, translations } = sut.app.get(RuleCatalogue).table(handoutText);
    for (const exercise of approved.plan.exercises) {
      expect(text).toContain(translations[exercise.exercise.patientName].es);
    }
    expect(text).toContain(texts.whatIsBfr.es.slice(0, 40));
    expect(text).not.toContain(texts.whatIsBfr.en.slice(0, 40));
    expect(text).not.toContain(approved.plan.phase.patientMessage.slice(0, 40));
    expect(text).toContain(translations[approved.plan.phase.patientMessage].es.slice(0, 40));
  });

  it('has no blank page, and every page is drawn inside the paper', async () => {
    const pdf = (await handout(draft.id).expect(200)).body as Buffer;
    const ink = await inkPerPage(pdf);
    expect(ink.length).toBe((await pagesOf(pdf)).length);
    for (const share of ink) {
      expect(share).toBeGreaterThan(0.005);
    }
  });

  it('is a tagged PDF with title, language, headings, lists and tables in its structure', async () => {
    const pdf = (await handout(approved.id, 'es').expect(200)).body as Buffer;
    // pdf-parse loads the document with its own pdfjs, whose API reads the structure tree.
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    const document = await (parser as unknown as { load(): Promise<PdfDocument> }).load();
    try {
      const { info } = (await document.getMetadata()) as unknown as { info: Record<string, unknown> };
      expect(info).toMatchObject({
        Language: 'es',
        Title: sut.app.get(RuleCatalogue).table(handoutText).texts.documentTitle.es,
      });
      expect(await document.getMarkInfo()).toMatchObject({ Marked: true });
      const roles = new Set<string>();
      const visit = (node: { role?: string; children?: unknown[] }) => {
        if (node.role) roles.add(node.role);
        (node.children ?? []).forEach((child) => visit(child as { role?: string; children?: unknown[] }));
      };
      for (let i = 1; i <= document.numPages; i++) {
        visit((await (await document.getPage(i)).getStructTree()) as { role?: string; children?: unknown[] });
        const page = await document.getPage(i);
        const [, , width, height] = page.view;
        const { items } = await page.getTextContent();
        for (const item of items as Array<{ transform: number[]; width: number; str: string }>) {
          const [x, y] = [item.transform[4], item.transform[5]];
          if (item.str.trim() === '') continue;
          expect(x).toBeGreaterThanOrEqual(20);
          expect(x + item.width).toBeLessThanOrEqual(width - 20);
          expect(y).toBeGreaterThanOrEqual(10);
          expect(y).toBeLessThanOrEqual(height - 10);
        }
      }
      expect([...roles]).toEqual(
        expect.arrayContaining(['Document', 'Sect', 'H1', 'H2', 'P', 'L', 'LI', 'Table', 'TR', 'TH', 'TD']),
      );
    } finally {
      await parser.destroy();
    }
  });

  it('reads at grade 8 or below in English', () => {
    const content = handoutContent(approved, sut.app.get(RuleCatalogue).table(handoutText), 'en', CONTACT);
    const prose = [
      content.whatIsBfr.text,
      ...content.howTo.items.map((i) => i.text),
      ...content.schedule.lines,
      ...content.progression.lines,
      ...content.notes.lines,
      ...content.checklist.items,
      ...content.stop.items,
      ...content.urgent.items,
      ...content.never.items,
    ];
    const text = prose.map((line) => (/[.!?]$/.test(line) ? line : `${line}.`)).join(' ');
    expect(textReadability.fleschKincaidGrade(text)).toBeLessThanOrEqual(8);
  });

  it('refuses a language it does not have', async () => {
    const res = await handout(approved.id, 'fr').expect(400);
    expect(JSON.parse(res.body.toString()).errors[0].field).toBe('lang');
  });
});
