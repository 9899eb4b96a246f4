import { auditHash, type AuditFacts, type ChainedAuditRecord, GENESIS_HASH, verifyAuditChain } from './audit-chain';

function chain(length: number): ChainedAuditRecord[] {
  const records: ChainedAuditRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const facts: AuditFacts = {
      seq,
      at: new Date(Date.UTC(2026, 10, 21, 8, 0, seq)).toISOString(),
      actor: 'dr-lee',
      tenant: 'clinic-north',
      roles: ['clinician'],
      action: 'GET /v1/rules/:id',
      resourceId: `ci.rule-${seq}`,
      outcome: 'success',
      status: 200,
      requestId: `req-${seq}`,
    };
    const hash = auditHash(facts, prevHash);
    records.push({ ...facts, prevHash, hash });
    prevHash = hash;
  }
  return records;
}

describe('verifyAuditChain', () => {
  it('accepts an untouched chain and reports its head', () => {
    const records = chain(5);
    expect(verifyAuditChain(records)).toEqual({ intact: true, checked: 5, head: records[4].hash });
  });

  it('finds a record whose content was changed', () => {
    const records = chain(5);
    records[2] = { ...records[2], actor: 'someone-else' };
    expect(verifyAuditChain(records)).toMatchObject({
      intact: false,
      checked: 2,
      firstBroken: { seq: 3, reason: expect.stringContaining('changed') },
    });
  });

  it('finds a record that was changed and re-hashed, at the link after it', () => {
    const records = chain(5);
    const forged = { ...records[1], outcome: 'denied' as const };
    const { prevHash: _p, hash: _h, ...facts } = forged;
    records[1] = { ...forged, hash: auditHash(facts, forged.prevHash) };
    expect(verifyAuditChain(records).firstBroken).toEqual({
      seq: 3,
      reason: 'does not point to the hash of the record before it',
    });
  });

  it('finds a deleted record', () => {
    const records = chain(5);
    records.splice(3, 1);
    expect(verifyAuditChain(records).firstBroken).toEqual({
      seq: 5,
      reason: 'expected record 4 next, found 5: records are missing',
    });
  });

  it('continues from a known good head', () => {
    const records = chain(6);
    expect(verifyAuditChain(records.slice(3), { seq: 3, head: records[2].hash })).toEqual({
      intact: true,
      checked: 3,
      head: records[5].hash,
    });
  });
});
