/** The choices a plan request offers, read from the API's own OpenAPI document. */
export interface PlanChoices {
  conditions: Array<{ id: string; label: string }>;
  weightBearing: string[];
  goals: string[];
  equipment: string[];
  lopMethods: string[];
  positions: string[];
}

type Schema = { enum?: string[]; description?: string; items?: Schema; properties?: Record<string, Schema> };

export function choicesFromOpenApi(document: { components: { schemas: Record<string, Schema> } }): PlanChoices {
  const s = document.components.schemas;
  const condition = s.Indication.properties!.condition;
  const labels = new Map(
    [...(condition.description ?? '').matchAll(/`([a-z0-9-]+)` \(([^)]*(?:\([^)]*\)[^)]*)*)\)/g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  return {
    conditions: (condition.enum ?? []).map((id) => ({ id, label: labels.get(id) ?? id })),
    weightBearing: s.Indication.properties!.weightBearing.enum ?? [],
    goals: s.PrescriptionRequest.properties!.goal.enum ?? [],
    equipment: s.PrescriptionRequest.properties!.equipment.items?.enum ?? [],
    lopMethods: s.LopMeasurement.properties!.method.enum ?? [],
    positions: s.LopMeasurement.properties!.position.enum ?? [],
  };
}

export interface SiteCuff {
  cuffWidthCm: string;
  lopMmHg: string;
  method: string;
  position: string;
  measuredOn: string;
  device?: string;
}

export interface PlanDraft {
  condition: string;
  side: string;
  surgeryDate: string;
  onsetDate: string;
  weightBearing: string;
  goal: string;
  newToBfr: string;
  equipment: string[];
  oneRepMax: Array<{ exercise: string; kg: string }>;
  sites: Record<string, SiteCuff>;
}

export function emptyPlanDraft(): PlanDraft {
  return {
    condition: '',
    side: 'left',
    surgeryDate: '',
    onsetDate: '',
    weightBearing: 'full',
    goal: 'strength',
    newToBfr: 'yes',
    equipment: [],
    oneRepMax: [],
    sites: {},
  };
}

export function siteKey(site: { limb: string; side: string }): string {
  return `${site.limb}:${site.side}`;
}

export function emptySite(today: string): SiteCuff {
  return { cuffWidthCm: '11.5', lopMmHg: '', method: 'doppler', position: 'supine', measuredOn: today };
}

/** The prescription request: the screening as answered plus the plan's own fields. */
export function prescriptionBody(screening: Record<string, unknown>, draft: PlanDraft): Record<string, unknown> {
  const limbs = ((screening.limbs as Array<Record<string, unknown>>) ?? []).map((limb) => {
    const cuff = draft.sites[siteKey(limb as { limb: string; side: string })];
    if (!cuff) return { ...limb, cuffWidthCm: undefined };
    const lop = cuff.lopMmHg
      ? [
          {
            mmHg: Number(cuff.lopMmHg),
            method: cuff.method,
            position: cuff.position,
            cuffWidthCm: Number(cuff.cuffWidthCm),
            measuredOn: cuff.measuredOn,
            ...(cuff.device ? { device: cuff.device } : {}),
          },
        ]
      : [];
    return { ...limb, cuffWidthCm: Number(cuff.cuffWidthCm), lop };
  });
  const oneRepMaxKg = Object.fromEntries(
    draft.oneRepMax.filter((r) => r.exercise && r.kg).map((r) => [r.exercise, Number(r.kg)]),
  );
  return {
    ...screening,
    limbs,
    indication: {
      condition: draft.condition,
      side: draft.side,
      // Which date a condition needs is the service's to say: it names the field when one is missing or not used.
      ...(draft.surgeryDate ? { surgeryDate: draft.surgeryDate } : {}),
      ...(draft.onsetDate ? { onsetDate: draft.onsetDate } : {}),
      weightBearing: draft.weightBearing,
    },
    goal: draft.goal,
    newToBfr: draft.newToBfr,
    ...(draft.equipment.length > 0 ? { equipment: draft.equipment } : {}),
    oneRepMaxKg,
  };
}
