import { handoutContent } from '../src/handout/handout-content';
import { handoutText } from '../src/handout/handout-text';
import { renderHandout } from '../src/handout/render-handout';
import { generatePlan } from '../src/prescription/generate-plan';
import type { Prescription } from '../src/prescription/prescription.schema';
import { loadRuleCatalogue } from '../src/rulesets';
import { type EngineBenchResult, timeRuns } from './engine.bench';
import { loadPlanCases } from './prescription-cases';

export interface HandoutBenchResult extends Omit<EngineBenchResult, 'rulesets'> {
  pages: number;
  kilobytes: number;
}

/**
 * Times rendering the handout PDF (content in the patient's language, then pdfkit with the
 * embedded font, tables, tags and page furniture) for the plans of the golden cases, English and
 * Spanish in turn, as approved plans.
 */
export async function benchHandouts({
  rulesDir,
  warmupRuns = 30,
  measuredRuns = 200,
}: {
  rulesDir: string;
  warmupRuns?: number;
  measuredRuns?: number;
}): Promise<HandoutBenchResult> {
  const catalogue = loadRuleCatalogue(rulesDir);
  const text = catalogue.table(handoutText);
  const prescriptions: Prescription[] = [];
  for (const { request, generatedOn } of loadPlanCases(rulesDir)) {
    const { plan } = await generatePlan(catalogue, request, generatedOn);
    const at = `${generatedOn}T10:00:00.000Z`;
    prescriptions.push({
      id: '00000000-0000-4000-8000-000000000000',
      seriesId: '00000000-0000-4000-8000-000000000000',
      version: 1,
      previousVersionId: null,
      supersededBy: null,
      status: 'approved',
      patientRef: request.patient.ref,
      createdAt: at,
      createdBy: 'bench',
      approval: {
        by: 'bench',
        at,
        acknowledgements: [],
        contact: { name: 'Sam Lee, physiotherapist', phone: '+44 20 7946 0000' },
      },
      cancellation: null,
      plan,
    });
  }
  const jobs = prescriptions.flatMap((p) =>
    (['en', 'es'] as const).map((lang) => handoutContent(p, text, lang, p.approval!.contact)),
  );
  let bytes = 0;
  let pages = 0;
  const timing = await timeRuns(
    jobs,
    async (content) => {
      const pdf = await renderHandout(content);
      bytes += pdf.length;
      pages += (pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? []).length;
    },
    { warmupRuns, measuredRuns },
  );
  const runs = warmupRuns + measuredRuns;
  return {
    cases: jobs.length,
    ...timing,
    pages: Math.round((pages / runs) * 10) / 10,
    kilobytes: Math.round(bytes / runs / 1024),
  };
}
