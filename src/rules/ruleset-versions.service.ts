import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { RuleCatalogue } from './catalogue';
import { RulesetVersionRecord } from './ruleset-version.entity';

/** Loads a rules-data folder with every spec, table and check the service knows. */
export const LOAD_RULE_CATALOGUE = Symbol('LOAD_RULE_CATALOGUE');
export type LoadRuleCatalogue = (dir: string) => RuleCatalogue;

/** A data file name as the loader reads them; anything else in stored content is not a file of ours. */
const DATA_FILE = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.json$/;

/**
 * The catalogue of any ruleset version the service has run: the loaded one, or an earlier one
 * loaded from the content kept with it, through the same loader and checks as rules-data/.
 */
@Injectable()
export class RulesetVersions {
  /** Earlier versions, loaded once each. */
  private readonly earlier = new Map<string, RuleCatalogue>();

  constructor(
    private readonly catalogue: RuleCatalogue,
    @InjectRepository(RulesetVersionRecord) private readonly versions: Repository<RulesetVersionRecord>,
    @Inject(LOAD_RULE_CATALOGUE) private readonly load: LoadRuleCatalogue,
  ) {}

  /** Undefined when the version was never stored or no longer loads as that version. */
  async catalogueOf(version: string): Promise<RuleCatalogue | undefined> {
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
      loaded = this.fromContent(stored.content);
    } catch {
      return undefined;
    }
    if (loaded.version !== version) {
      return undefined;
    }
    this.earlier.set(version, loaded);
    return loaded;
  }

  private fromContent(content: string): RuleCatalogue {
    const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-ruleset-'));
    try {
      for (const [name, file] of Object.entries(JSON.parse(content) as Record<string, unknown>)) {
        if (!DATA_FILE.test(name)) {
          throw new Error(`stored ruleset content names a file "${name}"`);
        }
        writeFileSync(join(dir, name), JSON.stringify(file));
      }
      return this.load(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
