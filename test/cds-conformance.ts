import { type CdsCard, CdsResponse } from '../src/ehr/cds-hooks/cds-hooks.schema';

/** Optional members set to null, "", [] or {}: CDS Hooks asks for them to be left out (the `cards` list excepted). */
function emptyMembers(value: unknown, at: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => emptyMembers(v, `${at}[${i}]`));
  }
  if (value === null || typeof value !== 'object') {
    return [];
  }
  return Object.entries(value).flatMap(([key, v]) => {
    const path = `${at}.${key}`;
    const empty =
      v === null ||
      v === '' ||
      (Array.isArray(v) && v.length === 0 && path !== '$.cards') ||
      (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
    return empty ? [path] : emptyMembers(v, path);
  });
}

/**
 * The cards of a CDS Hooks response, after checking it against the spec's rules: the response
 * schema with its invariants (cds-resp-1..7), summaries under 140 characters, the indicator values,
 * a source label, unique card and suggestion uuids, absolute links to the rule pages, and no empty
 * optional members.
 */
export function conformingCards(body: unknown, baseUrl: string): CdsCard[] {
  expect(emptyMembers(body, '$')).toEqual([]);
  const { cards } = CdsResponse.parse(body);
  const uuids = cards.flatMap((card) => [card.uuid, ...(card.suggestions ?? []).map((s) => s.uuid)]);
  expect(new Set(uuids).size).toBe(uuids.length);
  for (const card of cards) {
    expect(card.summary.length).toBeLessThan(140);
    expect(['info', 'warning', 'critical']).toContain(card.indicator);
    expect(card.source.label.length).toBeGreaterThan(0);
    expect(card.source.url?.startsWith(`${baseUrl}/rules`)).toBe(true);
    expect(card.links?.length).toBeGreaterThan(0);
    expect(card.links?.every((link) => link.type === 'absolute' && link.url.startsWith(`${baseUrl}/rules`))).toBe(true);
    if (card.suggestions) {
      expect(card.selectionBehavior).toBeDefined();
      for (const action of card.suggestions.flatMap((s) => s.actions)) {
        expect(action.description.length).toBeGreaterThan(0);
        expect(action.type === 'delete' ? action.resourceId : action.resource?.resourceType).toBeDefined();
      }
    }
  }
  return cards;
}
