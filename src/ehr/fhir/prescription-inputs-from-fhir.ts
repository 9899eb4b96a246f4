import type { Observation } from '@medplum/fhirtypes';
import type { z } from 'zod';

import { BodyPosition, LopMethod } from '../../prescription/indication';
import type { LopMeasurement } from '../../prescription/prescription-request.schema';
import type { RuleCatalogue } from '../../rules/catalogue';
import type { Limb, Side } from '../../screening/screening.ruleset';
import type { ClinicalRecord } from './clinical-record';
import { BFR, BFR_SYSTEM, SNOMED } from './codes';
import { fhirMapping, valueSet } from './fhir-mapping';
import type { MappingReport } from './mapped-source';
import { CENTIMETRES, isCoded, MM_HG, usableObservations } from './measurements-from-fhir';
import { codings, day, field, list, nameOf, quantityIn, referenceTo, text } from './record-values';
import { codingIn } from './value-sets';

type CuffSite = { limb: z.infer<typeof Limb>; side: z.infer<typeof Side> };

/** What a record gives for one cuff site: its circumference and the LOPs measured there. */
export interface LimbFromFhir extends CuffSite {
  circumferenceCm?: number;
  lop: LopMeasurement[];
}

export interface FhirPrescriptionInputs extends MappingReport {
  /** Day of the latest completed operation, however long ago: the candidate for `indication.surgeryDate`. */
  surgeryDate?: string;
  limbs: LimbFromFhir[];
}

const SITE_CODE = /^cuff-site-(thigh|upper-arm)-(left|right)$/;

/**
 * The cuff site an Observation's body site names: a bfr-rx cuff-site code, or SNOMED CT thigh with a
 * left or right laterality coding beside it.
 */
function siteOf(observation: Observation): CuffSite | undefined {
  const coded = codings(field(observation, 'bodySite'));
  const own = coded.map((c) => (c.system === BFR_SYSTEM ? SITE_CODE.exec(c.code!) : null)).find((m) => m);
  if (own) {
    return { limb: own[1] as CuffSite['limb'], side: own[2] as CuffSite['side'] };
  }
  const has = (wanted: { system?: string; code?: string }) =>
    coded.some((c) => c.system === wanted.system && c.code === wanted.code);
  const side = has(SNOMED.left) ? 'left' : has(SNOMED.right) ? 'right' : undefined;
  return has(SNOMED.thigh) && side && !(has(SNOMED.left) && has(SNOMED.right)) ? { limb: 'thigh', side } : undefined;
}

const component = (observation: Observation, code: string) =>
  list(field(observation, 'component')).find((c) =>
    codings(field(c, 'code')).some((k) => k.system === BFR_SYSTEM && k.code === code),
  );

const ownCode = (concept: unknown) => codings(concept).find((c) => c.system === BFR_SYSTEM)?.code;

function lopFrom(observation: Observation, date: string): { measurement?: LopMeasurement; problem?: string } {
  const mmHg = quantityIn(field(observation, 'valueQuantity'), MM_HG);
  const method = LopMethod.safeParse(ownCode(field(observation, 'method')));
  const position = BodyPosition.safeParse(
    ownCode(field(component(observation, BFR.bodyPosition.code!), 'valueCodeableConcept')),
  );
  const cuffWidthCm = quantityIn(field(component(observation, BFR.cuffWidth.code!), 'valueQuantity'), CENTIMETRES);
  if (mmHg === undefined || Math.round(mmHg) < 40 || Math.round(mmHg) > 500)
    return { problem: 'no LOP value between 40 and 500 mmHg' };
  if (!method.success) return { problem: `no method coded as one of ${LopMethod.options.join(', ')}` };
  if (!position.success) return { problem: 'no body position component' };
  if (cuffWidthCm === undefined || cuffWidthCm < 2 || cuffWidthCm > 30)
    return { problem: 'no cuff width component between 2 and 30 cm' };
  const device = text(field(field(observation, 'device'), 'display'));
  return {
    measurement: {
      mmHg: Math.round(mmHg),
      method: method.data,
      position: position.data,
      cuffWidthCm,
      measuredOn: date,
      ...(device ? { device } : {}),
    },
  };
}

/** The cuff sites a record measured, each filled in as its Observations are read. */
class SitesFromFhir {
  private readonly limbs = new Map<string, LimbFromFhir>();

  constructor(private readonly report: MappingReport) {}

  limb(site: CuffSite): LimbFromFhir {
    const key = `${site.limb}:${site.side}`;
    if (!this.limbs.has(key)) this.limbs.set(key, { ...site, lop: [] });
    return this.limbs.get(key)!;
  }

  /** The Observations whose body site names a cuff site, with that site; the others are noted. */
  sited(observations: ReturnType<typeof usableObservations>, measurement: string) {
    return observations.flatMap((o) => {
      const site = siteOf(o.observation);
      if (!site)
        this.report.notes.push(
          `${o.reference} (${measurement}) not used: its body site names no cuff site (thigh or upper arm, left or right).`,
        );
      return site ? [{ ...o, site }] : [];
    });
  }

  all(): LimbFromFhir[] {
    return [...this.limbs.values()];
  }
}

/** The newest limb circumference per cuff site (observations come newest first). */
function readCircumferences(
  record: ClinicalRecord,
  catalogue: RuleCatalogue,
  asOf: string,
  sites: SitesFromFhir,
  report: MappingReport,
): void {
  const circumferences = usableObservations(
    record.observations,
    (o) => isCoded(o, SNOMED.lowerLimbCircumference.system!, SNOMED.lowerLimbCircumference.code!),
    'limb-circumference',
    catalogue,
    asOf,
    report,
  );
  for (const { observation, reference, date, site } of sites.sited(circumferences, 'limb-circumference')) {
    const limb = sites.limb(site);
    const cm = quantityIn(field(observation, 'valueQuantity'), CENTIMETRES);
    if (limb.circumferenceCm !== undefined || cm === undefined || cm < 5 || cm > 150) {
      if (cm === undefined || cm < 5 || cm > 150)
        report.notes.push(`${reference} (limb-circumference) not used: no value between 5 and 150 cm.`);
      continue;
    }
    limb.circumferenceCm = Math.round(cm * 10) / 10;
    report.sources.push({
      item: `limbs.${site.limb}-${site.side}.circumferenceCm`,
      reference,
      code: `${SNOMED.lowerLimbCircumference.system}|${SNOMED.lowerLimbCircumference.code}`,
      date,
      value: limb.circumferenceCm,
      mapping: 'fhir.measurement.limb-circumference',
    });
  }
}

/** The newest LOP per cuff site, body position and cuff width. */
function readLops(
  record: ClinicalRecord,
  catalogue: RuleCatalogue,
  asOf: string,
  sites: SitesFromFhir,
  report: MappingReport,
): void {
  const lops = usableObservations(
    record.observations,
    (o) => isCoded(o, BFR_SYSTEM, BFR.lop.code!),
    'lop',
    catalogue,
    asOf,
    report,
  );
  for (const { observation, reference, date, site } of sites.sited(lops, 'lop')) {
    const limb = sites.limb(site);
    const { measurement, problem } = lopFrom(observation, date);
    if (!measurement) {
      report.notes.push(`${reference} (lop) not used: ${problem}.`);
      continue;
    }
    if (limb.lop.some((m) => m.position === measurement.position && m.cuffWidthCm === measurement.cuffWidthCm)) {
      continue;
    }
    limb.lop.push(measurement);
    report.sources.push({
      item: `limbs.${site.limb}-${site.side}.lop`,
      reference,
      code: `${BFR_SYSTEM}|lop`,
      date,
      value: measurement.mmHg,
      mapping: 'fhir.measurement.lop',
    });
  }
}

/** The day of the latest completed operation on or before `asOf`, however long ago. */
function readLatestOperation(
  record: ClinicalRecord,
  catalogue: RuleCatalogue,
  asOf: string,
  report: MappingReport,
): string | undefined {
  const surgical = catalogue.table(fhirMapping).procedures.map((p) => valueSet(catalogue, p.valueSet));
  const operations = record.procedures
    .filter((p) => text(field(p, 'status')) === 'completed')
    .filter((p) =>
      surgical.some((vs) =>
        [field(p, 'category'), ...list(field(p, 'category')), field(p, 'code')].some((c) => codingIn(vs, c)),
      ),
    )
    .map((p) => ({
      procedure: p,
      date:
        day(field(p, 'performedDateTime')) ??
        day(field(field(p, 'performedPeriod'), 'end')) ??
        day(field(field(p, 'performedPeriod'), 'start')),
    }))
    .filter(
      (o): o is { procedure: (typeof record.procedures)[number]; date: string } =>
        o.date !== undefined && o.date <= asOf,
    )
    .sort((a, b) => b.date.localeCompare(a.date));
  const latest = operations[0];
  if (latest) {
    report.sources.push({
      item: 'indication.surgeryDate',
      reference: referenceTo(latest.procedure),
      display: nameOf(field(latest.procedure, 'code')),
      date: latest.date,
      value: latest.date,
      mapping: 'fhir.procedure.recent-surgery',
    });
  }
  return latest?.date;
}

/**
 * What an EHR record gives a BFR prescription on `asOf`: per cuff site the newest limb
 * circumference (SNOMED CT 413171006) and the newest LOP per body position and cuff (bfr-rx `lop`
 * Observations with method, position and cuff width), and the day of the latest operation. Stale
 * or incomplete measurements are noted and not used.
 */
export function prescriptionInputsFromFhir(
  record: ClinicalRecord,
  catalogue: RuleCatalogue,
  asOf: string,
): FhirPrescriptionInputs {
  const report: MappingReport = { sources: [], notes: [] };
  const sites = new SitesFromFhir(report);
  readCircumferences(record, catalogue, asOf, sites, report);
  readLops(record, catalogue, asOf, sites, report);
  const surgeryDate = readLatestOperation(record, catalogue, asOf, report);
  return { ...(surgeryDate ? { surgeryDate } : {}), limbs: sites.all(), ...report };
}
