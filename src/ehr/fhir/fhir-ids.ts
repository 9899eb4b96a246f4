import { createHash } from 'node:crypto';

/**
 * A name-based UUID (RFC 9562 version 5 layout over SHA-1) for a resource of a plan, so the same
 * plan always gives the same ids and references inside its Bundle.
 */
export function uuidFor(seed: string, name: string): string {
  const hash = createHash('sha1').update(`${seed}\u0000${name}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A reference to a resource of the same Bundle, by its `urn:uuid:` full URL. */
export const urnFor = (id: string) => `urn:uuid:${id}`;
