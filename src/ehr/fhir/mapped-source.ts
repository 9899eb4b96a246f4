/**
 * Where a mapped value came from, so a card or a clinician can check it: the item it answers, the
 * resource, the code that matched, its date, and the mapping entry of rules-data/fhir-mapping.data.json.
 */
export interface MappedSource {
  /** The screening item (`vteHistory`), limb finding (`limbs.lymphoedema`) or field (`bloodPressure`, `patient.weightKg`). */
  item: string;
  /** `ResourceType/id` of the record. */
  reference: string;
  /** `system|code` of the coding that matched. */
  code?: string;
  display?: string;
  /** The day the record refers to (onset, measurement, operation, order). */
  date?: string;
  /** The value read, as it went into the request. */
  value?: string | number;
  /** Id of the mapping entry that decided it. */
  mapping?: string;
  /** How a medication was recognised: by its code, an ingredient's code, or its name in the text. */
  matchedBy?: 'code' | 'ingredient' | 'text';
}

/** What a mapping gives besides its values: the sources behind them and what it left out, and why. */
export interface MappingReport {
  sources: MappedSource[];
  /** For the clinician, e.g. "Condition/7 ignored: verificationStatus refuted". */
  notes: string[];
}
