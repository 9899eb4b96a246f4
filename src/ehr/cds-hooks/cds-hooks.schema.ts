import { z } from 'zod';

/** The wire format of CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/), with the spec's invariants as refinements. */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;

const fhirId = (what: string) =>
  z.string().regex(FHIR_ID, 'must be a FHIR id (1 to 64 letters, digits, "-" or ".")').describe(what);
const reference = (types: readonly string[], what: string) =>
  z
    .string()
    .refine(
      (value) => {
        const [type, id, ...rest] = value.split('/');
        return rest.length === 0 && types.includes(type) && FHIR_ID.test(id ?? '');
      },
      `must be a relative reference to a ${types.join(', ')} (e.g. ${types[0]}/123)`,
    )
    .describe(what);

export const FhirResource = z
  .looseObject({
    resourceType: z.string().regex(RESOURCE_TYPE, 'must be a FHIR resource type').describe('The FHIR resource type.'),
  })
  .meta({ id: 'FhirResource', description: 'A FHIR R4 resource (JSON); only `resourceType` is checked here.' });
export type FhirResource = z.infer<typeof FhirResource>;

const ServiceId = z.string().min(1).max(100);

export const CdsServiceParams = z.strictObject({
  id: ServiceId.describe('Id of the CDS service, as listed by discovery.'),
});

// --- Discovery -------------------------------------------------------------------------------

export const CdsServiceDefinition = z
  .object({
    hook: z.string().describe('The hook the service answers (`patient-view`, `order-select`, `order-sign`).'),
    id: ServiceId.describe('Path segment of the service: `{base}/cds-services/{id}`.'),
    title: z.string().describe('Human name of the service.'),
    description: z.string().describe('What the service does.'),
    prefetch: z
      .record(z.string(), z.string())
      .optional()
      .describe('Prefetch templates by key: FHIR queries the EHR may run and send along (CDS Hooks 2.0 tokens only).'),
    usageRequirements: z.string().optional().describe('What the service needs to work well.'),
  })
  .meta({ id: 'CdsServiceDefinition', description: 'One CDS service as listed by discovery.' });
export type CdsServiceDefinition = z.infer<typeof CdsServiceDefinition>;

export const CdsDiscovery = z
  .object({ services: z.array(CdsServiceDefinition).describe('Every CDS service offered.') })
  .meta({ id: 'CdsDiscovery', description: 'The CDS Hooks discovery document.' });
export type CdsDiscovery = z.infer<typeof CdsDiscovery>;

// --- Hook requests ---------------------------------------------------------------------------

const FhirAuthorization = z
  .looseObject({
    access_token: z
      .string()
      .min(1)
      .describe('OAuth 2.0 access token for the EHR FHIR server; used for this call only, never stored or logged.'),
    token_type: z.literal('Bearer').describe('Always `Bearer`.'),
    expires_in: z.number().int().positive().describe('Lifetime of the token, seconds.'),
    scope: z.string().min(1).describe('Scopes granted.'),
    subject: z.string().min(1).describe('The OAuth client the token was issued to.'),
  })
  .describe('Access to the EHR FHIR server for data that was not prefetched.');

const FhirServer = z
  .url({ protocol: /^https?$/ })
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
  }, 'must be an https URL')
  .describe('Base URL of the EHR FHIR server (https).');

const DraftOrders = z
  .looseObject({
    resourceType: z.literal('Bundle').describe('Always `Bundle`.'),
    entry: z
      .array(z.looseObject({ resource: FhirResource.describe('A draft order.') }))
      .default([])
      .describe('The draft orders.'),
  })
  .describe('Bundle of the orders being drafted (FHIR R4 requests with status `draft`).');

const baseContext = {
  userId: reference(
    ['Practitioner', 'PractitionerRole', 'Patient', 'RelatedPerson'],
    'The user of the EHR, e.g. `PractitionerRole/123`.',
  ),
  patientId: fhirId('Id of the patient in the EHR.'),
  encounterId: fhirId('Id of the current encounter.').optional(),
};

/** Hook definitions evolve in the CDS Hooks Library; context fields this service does not use are ignored. */
export const PatientViewContext = z
  .looseObject(baseContext)
  .describe('Context of `patient-view`: the chart being opened.');
export const OrderSelectContext = z
  .looseObject({
    ...baseContext,
    selections: z
      .array(
        reference(
          [
            'ServiceRequest',
            'DeviceRequest',
            'MedicationRequest',
            'NutritionOrder',
            'VisionPrescription',
            'CommunicationRequest',
          ],
          'A selected draft order.',
        ),
      )
      .min(1)
      .describe('The draft orders just selected, as references into `draftOrders`.'),
    draftOrders: DraftOrders,
  })
  .describe('Context of `order-select`: the order being composed.');
export const OrderSignContext = z
  .looseObject({ ...baseContext, draftOrders: DraftOrders })
  .describe('Context of `order-sign`: the orders about to be signed.');

const hookRequest = <H extends string, C extends z.ZodType>(hook: H, context: C) =>
  z.strictObject({
    hook: z.literal(hook).describe('The hook that fired.'),
    hookInstance: z.guid().describe('Unique id of this call (a UUID).'),
    fhirServer: FhirServer.optional(),
    fhirAuthorization: FhirAuthorization.optional(),
    context,
    prefetch: z
      .record(z.string(), FhirResource.nullable())
      .optional()
      .describe(
        'Prefetched data by template key: a resource, a Bundle, an OperationOutcome for a failed fetch, or null for no data. A key left out was not fetched.',
      ),
    extension: z.record(z.string(), z.unknown()).optional().describe('Extensions agreed with the EHR; ignored.'),
  });

export const CdsHookRequest = z
  .discriminatedUnion('hook', [
    hookRequest('patient-view', PatientViewContext),
    hookRequest('order-select', OrderSelectContext),
    hookRequest('order-sign', OrderSignContext),
  ])
  // cds-r-1: a token is only useful with the server it is for.
  .refine((request) => request.fhirAuthorization === undefined || request.fhirServer !== undefined, {
    path: ['fhirServer'],
    message: 'is required when fhirAuthorization is given',
  })
  .meta({
    id: 'CdsHookRequest',
    description: 'A CDS Hooks 2.0 call: the hook, its context, prefetched data and FHIR access.',
  });
export type CdsHookRequest = z.infer<typeof CdsHookRequest>;

// --- Responses -------------------------------------------------------------------------------

export const CdsCoding = z
  .strictObject({
    system: z.string().optional().describe('Code system URI.'),
    code: z.string().min(1).describe('The code.'),
    display: z.string().optional().describe('Human text for the code.'),
  })
  .meta({ id: 'CdsCoding', description: 'A code from a code system (CDS Hooks Coding).' });
export type CdsCoding = z.infer<typeof CdsCoding>;

export const CdsSource = z
  .strictObject({
    label: z.string().min(1).describe('Where the guidance comes from: the rule set and its version.'),
    url: z.url().optional().describe('Page describing the source: the rule behind the card.'),
    topic: CdsCoding.optional().describe('What the card is about, for grouping and analytics.'),
  })
  .meta({ id: 'CdsSource', description: 'The source of a card.' });

export const CdsAction = z
  .strictObject({
    type: z.enum(['create', 'update', 'delete']).describe('What the EHR does with the resource.'),
    description: z.string().min(1).describe('What the action does, for the user (cds-resp-5).'),
    resource: FhirResource.optional().describe('The resource to create, or the complete updated resource.'),
    resourceId: z.string().optional().describe('Relative reference of the resource to delete.'),
  })
  .refine(
    (action) =>
      action.type === 'delete'
        ? action.resourceId !== undefined && action.resource === undefined
        : action.resource !== undefined,
    {
      message: 'a delete names resourceId (cds-resp-2); a create or update carries the resource',
    },
  )
  .meta({ id: 'CdsAction', description: 'A change the EHR applies when a suggestion is accepted.' });

export const CdsSuggestion = z
  .strictObject({
    label: z.string().min(1).describe('What accepting the suggestion does.'),
    uuid: z.uuid().describe('Id of the suggestion, reported back in feedback.'),
    isRecommended: z.boolean().optional().describe('The suggestion the service recommends among several.'),
    actions: z.array(CdsAction).min(1).describe('The changes, applied together.'),
  })
  .meta({ id: 'CdsSuggestion', description: 'A set of changes the user can accept with one click.' });

export const CdsLink = z
  .strictObject({
    label: z.string().min(1).describe('Text of the link.'),
    url: z.url().describe('Absolute URL.'),
    type: z.enum(['absolute', 'smart']).describe('`absolute`: opened as is; `smart`: launched as a SMART app.'),
  })
  .meta({ id: 'CdsLink', description: 'A link for the user, e.g. to a rule page.' });

export const CdsCard = z
  .strictObject({
    uuid: z.uuid().describe('Id of the card, reported back in feedback.'),
    summary: z.string().min(1).max(139).describe('One sentence under 140 characters.'),
    detail: z
      .string()
      .optional()
      .describe(
        'Markdown: the rules that fired, their versions, the inputs with their dates, what is missing, the evidence.',
      ),
    indicator: z
      .enum(['info', 'warning', 'critical'])
      .describe('Urgency: `critical` only for absolute contraindications.'),
    source: CdsSource,
    suggestions: z.array(CdsSuggestion).min(1).optional().describe('Changes the user can accept.'),
    selectionBehavior: z
      .enum(['at-most-one', 'any'])
      .optional()
      .describe('How many suggestions may be accepted; present whenever suggestions are (cds-resp-6).'),
    overrideReasons: z
      .array(CdsCoding.required({ display: true }))
      .min(1)
      .optional()
      .describe('Reasons the user may give for overriding the card (cds-resp-4: each with a display).'),
    links: z.array(CdsLink).min(1).optional().describe('Links to the rule pages behind the card.'),
  })
  .refine((card) => (card.suggestions === undefined) === (card.selectionBehavior === undefined), {
    path: ['selectionBehavior'],
    message: 'is given exactly when suggestions are (cds-resp-6)',
  })
  .meta({ id: 'CdsCard', description: 'A CDS Hooks card.' });
export type CdsCard = z.infer<typeof CdsCard>;

export const CdsResponse = z
  .strictObject({ cards: z.array(CdsCard).describe('The cards; empty when there is nothing to say.') })
  .meta({ id: 'CdsResponse', description: 'The answer to a CDS Hooks call.' });
export type CdsResponse = z.infer<typeof CdsResponse>;

// --- Feedback --------------------------------------------------------------------------------

export const CdsFeedbackItem = z
  .strictObject({
    card: z.guid().describe('Uuid of the card the feedback is about.'),
    outcome: z.enum(['accepted', 'overridden']).describe('What the user did with the card.'),
    acceptedSuggestions: z
      .array(z.strictObject({ id: z.guid().describe('Uuid of an accepted suggestion.') }))
      .min(1)
      .optional()
      .describe('The suggestions accepted; required when the outcome is `accepted`.'),
    overrideReason: z
      .strictObject({
        reason: CdsCoding.optional().describe('One of the override reasons the card offered.'),
        userComment: z.string().trim().min(1).max(2000).optional().describe("The user's own words."),
      })
      .refine(
        (reason) => reason.reason !== undefined || reason.userComment !== undefined,
        'needs a reason or a userComment',
      )
      .optional()
      .describe('Why the card was overridden; only with `overridden`.'),
    outcomeTimestamp: z.iso.datetime({ offset: true }).describe('When the user acted (RFC 3339).'),
  })
  .superRefine((item, ctx) => {
    if (item.outcome === 'accepted' && item.acceptedSuggestions === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['acceptedSuggestions'],
        message: 'is required when the outcome is accepted',
      });
    }
    if (item.outcome === 'overridden' && item.acceptedSuggestions !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['acceptedSuggestions'],
        message: 'is only given when the outcome is accepted',
      });
    }
    if (item.outcome === 'accepted' && item.overrideReason !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['overrideReason'],
        message: 'is only given when the outcome is overridden',
      });
    }
  })
  .meta({ id: 'CdsFeedbackItem', description: 'What the user did with one card.' });
export type CdsFeedbackItem = z.infer<typeof CdsFeedbackItem>;

export const CdsFeedbackRequest = z
  .strictObject({ feedback: z.array(CdsFeedbackItem).min(1).max(100).describe('Feedback on one or more cards.') })
  .meta({
    id: 'CdsFeedbackRequest',
    description: 'CDS Hooks feedback: which cards were accepted or overridden, and why.',
  });
export type CdsFeedbackRequest = z.infer<typeof CdsFeedbackRequest>;
