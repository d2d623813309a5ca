/**
 * The `tot` agent against core's conformance suite for agent plugins, with both evaluation
 * methods, and the package's exports.
 */
import { assert, describe, it } from "@effect/vitest"
import { Conformance } from "@ml-agents/core/testing"
import { Effect } from "effect"
import defaultAgent, { agent, TreeOfThought } from "../src/index.js"

describe("conformance", () => {
  it.effect("passes core's conformance suite with the defaults (vote)", () => Conformance.verify(agent).pipe(Effect.asVoid))

  it.effect("passes it with value evaluation, a beam and no backtracking", () =>
    Conformance.verify(agent, {
      parameters: { evaluation_method: "value", beam_width: 2, backtrack_on_failure: false },
      maxCalls: 20
    }).pipe(Effect.asVoid))

  it("exports the agent by name, as default and in the TreeOfThought namespace", () => {
    assert.strictEqual(defaultAgent, agent)
    assert.strictEqual(TreeOfThought.agent, agent)
    assert.strictEqual(agent.id, "tot")
  })
})
