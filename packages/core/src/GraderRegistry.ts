/**
 * The graders a process knows by answer kind: the built-in kinds, always there, and any a plugin
 * adds. A `Context.Reference` whose default holds the built-in kinds, so that code that never
 * loads plugins (tests, libraries) grades without providing it.
 */
import { Context, Effect, Layer, Schema } from "effect"
import * as AnswerKind from "./AnswerKind.js"
import type { BenchmarkSample, Grader } from "./Grader.js"
import * as Grading from "./Grading.js"

/** No grader is registered for that answer kind. */
export class GraderNotFound extends Schema.TaggedError<GraderNotFound>()("GraderNotFound", {
  kind: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  override get message() {
    return `unknown answer kind '${this.kind}' (available: ${this.available.join(", ")})`
  }
}

/** The GraderRegistry service's types. */
export declare namespace GraderRegistry {
  /** What a GraderRegistry does. */
  export interface Service {
    /** Every grader, built-in ones first, then plugins' in load order. */
    readonly list: ReadonlyArray<Grader>
    readonly get: (kind: string) => Effect.Effect<Grader, GraderNotFound>
    /** The kind of a benchmark being imported: the first plugin detector that says yes, else the built-in rules. */
    readonly detect: (benchmark: BenchmarkSample) => string
  }
}

/** Builds a registry: the built-in graders, then `graders` (a later grader of the same kind replaces an earlier one). */
export const make = (graders: ReadonlyArray<Grader> = []): GraderRegistry.Service => {
  const byKind = new Map([...Grading.builtIn, ...graders].map((grader) => [grader.kind, grader] as const))
  const list = [...byKind.values()]
  const detectors = graders.filter((g) => g.detect !== undefined)
  return {
    list,
    get: (kind) => {
      const grader = byKind.get(kind)
      return grader === undefined
        ? Effect.fail(new GraderNotFound({ kind, available: list.map((g) => g.kind) }))
        : Effect.succeed(grader)
    },
    detect: (benchmark) =>
      detectors.find((g) => g.detect!(benchmark))?.kind ?? AnswerKind.detect(benchmark.expectedAnswers)
  }
}

/** The GraderRegistry service; without a layer, the built-in graders. */
export class GraderRegistry extends Context.Reference<GraderRegistry>()("@ml-agents/core/GraderRegistry", {
  defaultValue: (): GraderRegistry.Service => make()
}) {}

/** A registry layer: the built-in graders plus `graders` (plugins'). */
export const layer = (graders: ReadonlyArray<Grader> = []): Layer.Layer<GraderRegistry> =>
  Layer.succeed(GraderRegistry, make(graders))
