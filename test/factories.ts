/** Screening facts of a healthy 34-year-old with every item answered and a normal blood pressure. */
export function screeningFacts(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ageYears: 34,
    vteHistory: 'no',
    clottingDisorder: 'no',
    pregnant: 'no',
    sickleCell: 'no',
    restingBloodPressure: { systolic: 122, diastolic: 78 },
    ...overrides,
  };
}
