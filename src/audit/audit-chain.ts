import { createHash } from 'node:crypto';

import { canonicalJson } from '../common/canonical-json';

export type AuditOutcome = 'success' | 'denied' | 'failed';

/** What one audit record says: who did what to which record, when, and how it ended. No clinical content. */
export interface AuditFacts {
  seq: number;
  at: string;
  actor: string | null;
  tenant: string | null;
  roles: string[];
  /** The route, e.g. `GET /v1/screenings/:id`. */
  action: string;
  resourceId: string | null;
  outcome: AuditOutcome;
  status: number;
  /** The service's own id of the request. */
  requestId: string;
  /** The caller's x-request-id; absent (not null) when none was sent, so that older records keep their hashes. */
  callerRequestId?: string;
}

export interface ChainedAuditRecord extends AuditFacts {
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Each record's hash covers its own facts and the previous hash, so no record can change unnoticed. */
export function auditHash(facts: AuditFacts, prevHash: string): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalJson(facts)}`)
    .digest('hex');
}

export interface ChainVerification {
  intact: boolean;
  checked: number;
  /** Hash of the last record checked; what the next record must point to. */
  head: string;
  firstBroken?: { seq: number; reason: string };
  /** The record up to which the chain was matched against the checkpoint kept outside the database. */
  anchoredAt?: number;
}

/**
 * Walks the records in sequence order and reports the first broken link: a record whose content
 * no longer matches its hash, one that does not point to its predecessor, or a missing sequence
 * number. `from` continues a verification that stopped at a known good head.
 */
export function verifyAuditChain(
  records: Iterable<ChainedAuditRecord>,
  from: { seq: number; head: string } = { seq: 0, head: GENESIS_HASH },
): ChainVerification {
  let expectedSeq = from.seq + 1;
  let head = from.head;
  let checked = 0;
  for (const record of records) {
    const { prevHash, hash, ...facts } = record;
    const broken = (reason: string): ChainVerification => ({
      intact: false,
      checked,
      head,
      firstBroken: { seq: record.seq, reason },
    });
    if (record.seq !== expectedSeq) {
      return broken(`expected record ${expectedSeq} next, found ${record.seq}: records are missing`);
    }
    if (prevHash !== head) {
      return broken('does not point to the hash of the record before it');
    }
    if (auditHash(facts, prevHash) !== hash) {
      return broken('its content does not match its hash: it was changed after it was written');
    }
    head = hash;
    expectedSeq += 1;
    checked += 1;
  }
  return { intact: true, checked, head };
}
