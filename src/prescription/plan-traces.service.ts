import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { DomainError, ErrorCode } from '../common/problem';
import { RuleCatalogue } from '../rules/catalogue';
import { RulesetVersionRecord } from '../rules/ruleset-version.entity';
import { loadRuleCatalogue } from '../rulesets';
import { generatePlan, type PlanTrace } from './generate-plan';
import type { PrescriptionRecord } from './prescription-record.entity';

const sha256Of = (json: string) => createHash('sha256').update(json).digest('hex');

/** The hash stored with a plan in place of its trace: of the trace's JSON as it used to be stored. */
export function traceSha256(trace: PlanTrace): string {
  return sha256Of(JSON.stringify(trace));
}

/** A data file name as the loader writes them; anything else in stored content is not a file of ours. */
const DATA_FILE = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.json$/;

/** Loads a ruleset version from the content stored with it, through the same loader and checks as rules-data/. */
function catalogueFromContent(content: string): RuleCatalogue {
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-ruleset-'));
  try {
    for (const [name, file] of Object.entries(JSON.parse(content) as Record<string, unknown>)) {
      if (!DATA_FILE.test(name)) {
        throw new Error(`stored ruleset content names a file "${name}"`);
      }
      writeFileSync(join(dir, name), JSON.stringify(file));
    }
    return loadRuleCatalogue(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The rule trace of a stored plan, made again from its request, day and ruleset version: a plan is
 * deterministic, so the trace need not be stored, only its hash. A trace that does not hash the
 * same (the code that makes plans changed since, or a stored field did) is never answered.
 */
@Injectable()
export class PlanTraces {
  /** Earlier ruleset versions, loaded once each. */
  private readonly earlier = new Map<string, RuleCatalogue>();

  constructor(
    private readonly catalogue: RuleCatalogue,
    @InjectRepository(RulesetVersionRecord) private readonly versions: Repository<RulesetVersionRecord>,
  ) {}

  /** The trace's JSON as stored, or as rebuilt and checked against the stored hash. */
  async traceOf(record: PrescriptionRecord): Promise<string> {
    if (record.traceSha256 === null) {
      return record.trace;
    }
    const catalogue = await this.catalogueOf(record.rulesetVersion);
    const rebuilt = catalogue
      ? await generatePlan(catalogue, JSON.parse(record.request), record.generatedOn).then(
          ({ trace }) => trace,
          () => undefined,
        )
      : undefined;
    const json = rebuilt === undefined ? undefined : JSON.stringify(rebuilt);
    if (json === undefined || sha256Of(json) !== record.traceSha256) {
      throw new DomainError(
        ErrorCode.TraceNotReproducible,
        `The rule trace of plan ${record.id} cannot be made again as it was: ruleset version ${record.rulesetVersion.slice(0, 12)} ${catalogue ? 'now gives another trace for its request' : 'cannot be loaded'}.`,
      );
    }
    return json;
  }

  private async catalogueOf(version: string): Promise<RuleCatalogue | undefined> {
    if (version === this.catalogue.version) {
      return this.catalogue;
    }
    const known = this.earlier.get(version);
    if (known) {
      return known;
    }
    const stored = await this.versions.findOneBy({ version });
    if (!stored) {
      return undefined;
    }
    let loaded: RuleCatalogue;
    try {
      loaded = catalogueFromContent(stored.content);
    } catch {
      return undefined;
    }
    if (loaded.version !== version) {
      return undefined;
    }
    this.earlier.set(version, loaded);
    return loaded;
  }
}
