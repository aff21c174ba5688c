/** Identifiers: random UUIDs for new objects, name-derived UUIDs for seeded and derived ones (stable across runs). */
import { createHash, randomUUID } from 'node:crypto';

/** A UUID (version-5 layout) derived from a name, so the demo portfolio has the same ids for the same seed. */
export function uuidFrom(name: string): string {
  return hashUuid(name);
}

/**
 * A child id of a UUID: the parent's first 20 hex digits and a 12-digit tag. Cheap (ledgers are replayed
 * often), stable across replays, unique per parent and tag, and still UUID-shaped.
 */
export function childId(parent: string, kind: number, index: number): string {
  return `${parent.slice(0, 24)}${kind.toString(16)}${index.toString(16).padStart(11, '0')}`;
}

function hashUuid(name: string): string {
  const h = createHash('sha1').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function newId(): string {
  return randomUUID();
}

/** mulberry32: a tiny seeded PRNG, good enough for demo data and fault draws (not for secrets). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
