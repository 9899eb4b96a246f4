import { RulesetVersions1763700000000 } from './1763700000000-ruleset-versions';

/** Every migration, oldest first. They run at start on SQLite and PostgreSQL alike. */
export const MIGRATIONS = [RulesetVersions1763700000000];
