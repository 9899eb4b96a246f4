import { Inject, Injectable } from '@nestjs/common';

import { Clock } from '../../common/clock';
import { invalidFields } from '../../common/validation.pipe';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { RuleCatalogue } from '../../rules/catalogue';
import { bfrOrders, cuffSitesOf, draftOrders } from './bfr-orders';
import type { CdsHookRequest, CdsResponse } from './cds-hooks.schema';
import type { CdsCaller } from './cds-jwt';
import type { CdsService } from './cds-services';
import { type ExplainedCard, IssuedCards } from './issued-cards';
import { issue, OperationOutcomeError } from './operation-outcome';
import { gatherRecord, type GatheredRecord } from './prefetch';
import { ASSUMED_SITES, type CuffSites, screenRecord } from './record-screening';
import { screeningCards } from './screening-cards';

/**
 * Answers the hooks: gathers the patient's record (prefetch, else the EHR's FHIR server within the
 * time budget), screens it with the rules, and turns the result into cards, kept with the rules
 * behind them for feedback.
 */
@Injectable()
export class CdsHookCalls {
  constructor(
    private readonly catalogue: RuleCatalogue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly issued: IssuedCards,
  ) {}

  async answer(service: CdsService, request: CdsHookRequest, caller: CdsCaller): Promise<CdsResponse> {
    if (request.hook !== service.hook) {
      throw invalidFields('body', [{ field: 'hook', detail: `must be ${service.hook}: the service ${service.id} answers that hook` }]);
    }
    const explained = await this.cardsFor(request);
    await this.issued.record(caller, service.id, request.hookInstance, explained);
    return { cards: explained.map((e) => e.card) };
  }

  private async cardsFor(request: CdsHookRequest): Promise<ExplainedCard[]> {
    switch (request.hook) {
      case 'patient-view':
        return this.screeningCards(request, ASSUMED_SITES);
      case 'order-sign': {
        const orders = bfrOrders(draftOrders(request.context.draftOrders));
        return orders.length === 0 ? [] : this.screeningCards(request, cuffSitesOf(orders, ASSUMED_SITES));
      }
      case 'order-select':
        throw new OperationOutcomeError(501, [issue('not-supported', 'order-select is not answered yet.')]);
    }
  }

  private async screeningCards(request: CdsHookRequest, sites: CuffSites): Promise<ExplainedCard[]> {
    const gathered = await this.gather(request);
    const screenedOn = this.clock.now().toISOString().slice(0, 10);
    const screening = await screenRecord(this.catalogue, gathered.resources, screenedOn, sites);
    return screeningCards(screening, { baseUrl: this.config.publicBaseUrl, unavailable: gathered.unavailable });
  }

  /** The record; without the Patient and no way to read it the screening cannot say anything (412). */
  private async gather(request: CdsHookRequest): Promise<GatheredRecord> {
    const gathered = await gatherRecord(request, this.config.cdsHooks.fhirTimeoutMs);
    const patient = gathered.unavailable.find((u) => u.key === 'patient');
    if (patient && !request.fhirAuthorization) {
      throw new OperationOutcomeError(412, [
        issue('processing', 'Cannot screen for BFR without the Patient: prefetch it, or give fhirServer and fhirAuthorization to read it.', {
          diagnostics: `prefetch key "patient": ${patient.reason}`,
        }),
      ]);
    }
    return gathered;
  }
}
