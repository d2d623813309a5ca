/**
 * Cheap deterministic hashing: every "random" decision of the simulator (right or wrong answer,
 * which wrong answer, whether a fault with a rate fires) is a pure function of the seed and the
 * request, so two servers with the same seed behave the same and tests can rely on it.
 */

/** FNV-1a over the UTF-16 code units of a string, as an unsigned 32-bit integer. */
export const hashString = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

// MurmurHash3's finaliser: FNV alone is poorly distributed in its high bits, this spreads them.
const fmix = (x: number): number => {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Mixes 32-bit integers into one well-distributed unsigned 32-bit integer. */
export const mix = (...parts: ReadonlyArray<number>): number => {
  let h = 0x9e3779b9
  for (const p of parts) h = fmix(Math.imul(h ^ fmix(p >>> 0), 0x27d4eb2d) + 0x165667b1)
  return h
}

/** Mixes 32-bit integers into a uniform number in [0, 1). */
export const unit = (...parts: ReadonlyArray<number>): number => mix(...parts) / 0x1_0000_0000
