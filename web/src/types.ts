/** The parts of the API's answers the app shows (the OpenAPI document at /docs has them in full). */
export interface Evidence {
  source: string;
  level: string;
  url?: string;
}

export interface RuleRef {
  ruleId: string;
  version: number;
  title: string;
  evidence: Evidence[];
}

export interface Finding {
  ruleId: string;
  ruleVersion: number;
  title: string;
  verdict: string;
  site: { limb: string; side: string } | null;
  clinicianMessage: string;
  patientMessage: string;
  missing?: string;
  cleared: boolean;
  evidence: Evidence[];
}

export interface ScreeningOutcome {
  verdict: string;
  findings: Finding[];
  missing: string[];
  limbs: Array<{ limb: string; side: string; verdict: string }>;
}

type SetBy<T> = { value: T; basis: RuleRef[] };

export interface PlannedExercise {
  order: number;
  exercise: { id: string; name: string; position: string; modality: string };
  site: { limb: string; side: string };
  injuredSide: boolean;
  basis: RuleRef[];
  dose: {
    pressure: {
      lopPercent: number;
      mmHg: number;
      startLopPercent: number;
      startMmHg: number;
      lop: { mmHg: number; source: string };
      basis: { lopPercent: RuleRef[]; startLopPercent: RuleRef[] };
    };
    load: { kind: string; percent1RM: number | null; kg: number | null; basis: RuleRef[] };
    sets: SetBy<number[] | null>;
    restBetweenSets: { seconds: number | null; basis: RuleRef[] };
    tempo: SetBy<unknown>;
    bouts: SetBy<unknown>;
    intensity: SetBy<string | null>;
    reperfusion: { seconds: number; basis: RuleRef[] };
    maxContinuousMinutes: SetBy<number>;
  };
}

export interface PlanCaution {
  id: string;
  ruleId: string;
  title: string;
  message: string;
  patientMessage: string | null;
  evidence: Evidence[];
}

export interface Plan {
  generatedOn: string;
  rulesetVersion: string;
  indication: {
    condition: string;
    side: string;
    weightBearing: string;
    weeksSinceSurgery: number | null;
    weeksSinceOnset: number | null;
  };
  phase: { label: string; stage: string; evidenceGrade: string; clinicianMessage: string; basis: RuleRef[] };
  exercises: PlannedExercise[];
  schedule: Record<string, SetBy<unknown> | number>;
  cautions: PlanCaution[];
  warnings: Array<Omit<PlanCaution, 'id'> & { severity: string }>;
  omitted: Array<{ exercise: string; side: string; reason: string }>;
}

export interface Prescription {
  id: string;
  seriesId: string;
  version: number;
  status: string;
  patientRef: string;
  createdAt: string;
  createdBy: string;
  approval: { by: string; at: string } | null;
  plan: Plan;
}

export interface PrescriptionSummary {
  id: string;
  version: number;
  status: string;
  patientRef: string;
  createdAt: string;
  condition: string;
  phase: string;
}

export interface Device {
  deviceId: string;
  model: string;
  channels: string[];
  online: boolean;
  busy: boolean;
}

export interface DeviceSession {
  id: string;
  status: string;
  deviceId: string;
  cuffs: Array<{ channel: string; site: { limb: string; side: string } }>;
  endReason: string | null;
  adherence: { adherence: number; bandMmHg: number; prescribedAtTargetS: number; inBandS: number } | null;
  sets: Array<{
    blockIndex: number;
    exerciseId: string;
    setIndex: number;
    phase: string;
    channel: string;
    targetMmHg: number;
    minMmHg: number;
    meanMmHg: number;
    maxMmHg: number;
    inBandShare: number;
    observedS: number;
  }>;
  alarms: Array<{ code: string; message: string; action: string }>;
  program: unknown;
}
