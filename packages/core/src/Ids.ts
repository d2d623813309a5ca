/**
 * Short identifiers users can type: `eval_k3x9q2ab`.
 */
import { Effect, Random } from "effect"

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

/** A random id with a prefix and `length` lowercase base-36 characters. */
export const make = (prefix: string, length = 8): Effect.Effect<string> =>
  Effect.gen(function*() {
    let id = `${prefix}_`
    for (let i = 0; i < length; i++) id += alphabet[yield* Random.nextIntBetween(0, alphabet.length)]
    return id
  })
