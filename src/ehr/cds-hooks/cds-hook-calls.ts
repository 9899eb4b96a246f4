import { Inject, Injectable } from '@nestjs/common';
import type { Questionnaire } from '@medplum/fhirtypes';

import { Clock } from '../../common/clock';
import { invalidFields } from '../../common/field-errors';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { RuleCatalogue } from '../../rules/catalogue';
import { screeningQuestionnaire } from '../fhir/screening-questionnaire';
import { bfrOrders, cuffSitesOf, draftOrders, orderedIndication } from './bfr-orders';
import type { CdsHookRequest, CdsResponse, FhirResource } from './cds-hooks.schema';
import type { CdsCaller } from './cds-jwt';
import type { CdsService } from './cds-services';
import { type ExplainedCard, IssuedCards } from './issued-cards';
import { issue, OperationOutcomeError } from './operation-outcome';
import { gatherRecord, type GatheredRecord } from './prefetch';
import { noProtocolCard, protocolCard } from './protocol-cards';
import { proposeProtocols } from './protocol-proposal';
import { ASSUMED_SITES, type CuffSites, type RecordScreening, screenRecord } from './record-screening';
import { type CardSetting, screeningCards } from './screening-cards';

/**
 * Answers the hooks: gathers the patient's record (prefetch, else the EHR's FHIR server within the
 * time budget), screens it with the rules, and turns the result into cards, kept with the rules
 * behind them for feedback.
 */
@Injectable()
export class CdsHookCalls {
  private readonly questionnaire: Questionnaire;

  constructor(
    private readonly catalogue: RuleCatalogue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly issued: IssuedCards,
  ) {
    this.questionnaire = screeningQuestionnaire(catalogue);
  }

  async answer(service: CdsService, request: CdsHookRequest, caller: CdsCaller): Promise<CdsResponse> {
    if (request.hook !== service.hook) {
      throw invalidFields('body', [
        { field: 'hook', detail: `must be ${service.hook}: the service ${service.id} answers that hook` },
      ]);
    }
    const explained = await this.cardsFor(service, request, caller);
    await this.issued.record(
      caller,
      { serviceId: service.id, hookInstance: request.hookInstance, patient: `Patient/${request.context.patientId}` },
      explained,
    );
    return { cards: explained.map((e) => e.card) };
  }

  private async cardsFor(service: CdsService, request: CdsHookRequest, caller: CdsCaller): Promise<ExplainedCard[]> {
    switch (request.hook) {
      case 'patient-view':
        return this.screeningCards(service, request, caller, ASSUMED_SITES);
      case 'order-sign': {
        const orders = bfrOrders(draftOrders(request.context.draftOrders));
        return orders.length === 0
          ? []
          : this.screeningCards(service, request, caller, cuffSitesOf(orders, ASSUMED_SITES));
      }
      case 'order-select': {
        const selected = bfrOrders(draftOrders(request.context.draftOrders), request.context.selections);
        return selected.length === 0 ? [] : this.protocolCards(service, request, caller, selected);
      }
    }
  }

  private async screeningCards(
    service: CdsService,
    request: CdsHookRequest,
    caller: CdsCaller,
    sites: CuffSites,
  ): Promise<ExplainedCard[]> {
    const { screening, setting } = await this.screen(service, request, caller, sites);
    return screeningCards(screening, setting);
  }

  /** The protocols for the selected BFR order, or the screening cards and what stops a proposal. */
  private async protocolCards(
    service: CdsService,
    request: CdsHookRequest,
    caller: CdsCaller,
    selected: FhirResource[],
  ): Promise<ExplainedCard[]> {
    const { screening, setting, resources } = await this.screen(
      service,
      request,
      caller,
      cuffSitesOf(selected, ASSUMED_SITES),
    );
    // The cautions are on the protocol card, to acknowledge when signing.
    const cards = screeningCards(screening, setting, { cautions: false });
    const proposal = await proposeProtocols(
      this.catalogue,
      screening,
      orderedIndication(selected),
      resources,
      screening.screenedOn,
    );
    switch (proposal.kind) {
      case 'plans':
        return [
          protocolCard(proposal, selected, request.context.patientId, this.catalogue, this.config.publicBaseUrl),
          ...cards,
        ];
      case 'none':
        return [...cards, noProtocolCard(proposal, this.catalogue, this.config.publicBaseUrl)];
      case 'screening':
        return cards;
    }
  }

  private async screen(
    service: CdsService,
    request: CdsHookRequest,
    caller: CdsCaller,
    sites: CuffSites,
  ): Promise<{ screening: RecordScreening; setting: CardSetting; resources: GatheredRecord['resources'] }> {
    const gathered = await this.gather(service, request, caller);
    const screenedOn = this.clock.now().toISOString().slice(0, 10);
    const screening = await screenRecord(this.catalogue, this.questionnaire, gathered.resources, screenedOn, sites);
    return {
      screening,
      setting: { baseUrl: this.config.publicBaseUrl, unavailable: gathered.unavailable },
      resources: gathered.resources,
    };
  }

  /** The record; without the Patient and no way to read it the screening cannot say anything (412). */
  private async gather(service: CdsService, request: CdsHookRequest, caller: CdsCaller): Promise<GatheredRecord> {
    const servers = this.config.cdsHooks.clients.find((client) => client.issuer === caller.issuer)?.fhirServers ?? [];
    const gathered = await gatherRecord(request, service.prefetch ?? {}, {
      servers,
      budgetMs: this.config.cdsHooks.fhirTimeoutMs,
    });
    const patient = gathered.unavailable.find((u) => u.key === 'patient');
    if (patient && !request.fhirAuthorization) {
      throw new OperationOutcomeError(412, [
        issue(
          'processing',
          'Cannot screen for BFR without the Patient: prefetch it, or give fhirServer and fhirAuthorization to read it.',
          {
            diagnostics: `prefetch key "patient": ${patient.reason}`,
          },
        ),
      ]);
    }
    return gathered;
  }
}
