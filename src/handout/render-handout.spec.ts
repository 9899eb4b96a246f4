import { patellofemoralRequest, prescriptionRequest, SCREENED_ON } from '../../test/factories';
import { RULES_DATA } from '../../test/rules-fixtures';
import { generatePlan } from '../prescription/generate-plan';
import type { Prescription } from '../prescription/prescription.schema';
import { loadRuleCatalogue } from '../rulesets';
import { type HandoutContent, handoutContent } from './handout-content';
import { handoutText } from './handout-text';

type Render = (content: HandoutContent) => Promise<Buffer>;

/** A copy of the renderer loaded on its own, with fonts no other handout has used. */
function freshRenderer(): Render {
  let render: Render | undefined;
  jest.isolateModules(() => {
    render = (jest.requireActual('./render-handout') as { renderHandout: Render }).renderHandout;
  });
  return render!;
}

/** The content with every string changed by `change`. */
function withStrings<T>(value: T, change: (text: string) => string): T {
  if (typeof value === 'string') return change(value) as T;
  if (Array.isArray(value)) return value.map((item) => withStrings(item, change)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withStrings(item, change)])) as T;
  return value;
}

describe('renderHandout', () => {
  beforeAll(() => {
    // A fixed creation date (written into the document info, its metadata and its ID), so that two
    // renderings of the same content can be compared byte for byte.
    jest.useFakeTimers({
      now: new Date(`${SCREENED_ON}T10:00:00.000Z`),
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
  });

  afterAll(() => {
    jest.useRealTimers();
  });

  it('prints the same document whatever handouts the process printed before it (fonts, glyphs and their text are shared)', async () => {
    const catalogue = loadRuleCatalogue(RULES_DATA);
    const text = catalogue.table(handoutText);
    const at = `${SCREENED_ON}T10:00:00.000Z`;
    const contact = { name: 'Sam Lee, physiotherapist', phone: '+44 20 7946 0000' };
    const contents: HandoutContent[] = [];
    for (const [request, draftIn, approvedIn] of [
      [patellofemoralRequest(), 'es', 'en'],
      [prescriptionRequest(), 'en', 'es'],
    ] as const) {
      const { plan } = await generatePlan(catalogue, request, SCREENED_ON);
      for (const [status, lang] of [
        ['draft', draftIn],
        ['approved', approvedIn],
      ] as const) {
        const prescription: Prescription = {
          id: '00000000-0000-4000-8000-000000000001',
          seriesId: '00000000-0000-4000-8000-000000000001',
          version: 1,
          previousVersionId: null,
          supersededBy: null,
          status,
          patientRef: request.patient.ref,
          createdAt: at,
          createdBy: 'sam.lee',
          approval: status === 'approved' ? { by: 'sam.lee', at, acknowledgements: [], contact } : null,
          cancellation: null,
          plan,
        };
        contents.push(handoutContent(prescription, text, lang, status === 'approved' ? contact : null));
      }
    }
    const shared = freshRenderer();
    // A first document with "ú" but no "u": its font subset draws "ú" from the glyphs of "u" and
    // the accent, so "u" is reached there without being typed.
    await shared(withStrings(contents[0], (line) => line.replace(/u/g, 'ú')));
    const afterOthers: Buffer[] = [];
    for (const content of contents) {
      afterOthers.push(await shared(content));
    }
    for (const [i, content] of contents.entries()) {
      const alone = await freshRenderer()(content);
      expect(afterOthers[i].equals(alone)).toBe(true);
    }
  });
});
