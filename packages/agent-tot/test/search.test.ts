/**
 * The search on a scripted model: breadth-first visiting order, pruning, backtracking (to a kept
 * sibling, by regenerating, and off), abstentions, failures and the final answer.
 */
import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@ml-agents/core"
import { Conformance } from "@ml-agents/core/testing"
import { Cause, Effect, Exit } from "effect"
import { candidateOf, candidatesOf, kindOf, kinds, namer, node, pathOf, solve } from "./helpers.js"

/** A script for value mode: thoughts named by place, scored from a table (default `fallback`). */
const valueScript = (scores: Readonly<Record<string, number>>, fallback = 0.5) => {
  const name = namer()
  return (request: LlmClient.ChatRequest) => {
    switch (kindOf(request)) {
      case "generate":
        return name(request)
      case "value":
        return `Looks fine.\nScore: ${scores[candidateOf(request)] ?? fallback}`
      case "vote":
        return "The best choice is 1"
      case "final":
        return `Following ${pathOf(request).join(" > ") || "nothing"}.\nAnswer: ${pathOf(request).at(-1) ?? "root"}`
    }
  }
}

describe("visiting order", () => {
  it.effect("vote: breadth-first, all generations of a depth, then its ballots, then the next depth, then the final answer", () =>
    Effect.gen(function*() {
      const name = namer()
      const { output, requests, trace } = yield* solve((request) => {
        switch (kindOf(request)) {
          case "generate":
            return name(request)
          case "vote":
            // Always the third-generated candidate, so that the beam does not follow generation order.
            return `All fine.\nThe best choice is ${candidatesOf(request).findIndex((c) => /(^s|\.)3$/.test(c)) + 1}`
          default:
            return `Answer: ${pathOf(request).join(">")}`
        }
      }, { tree_depth: 3, branches_per_step: 3, evaluation_method: "vote", beam_width: 1, max_evaluations: 30 })

      const depth = ["generate", "generate", "generate", "vote", "vote"]
      assert.deepStrictEqual(kinds(requests), [...depth, ...depth, ...depth, "final"])
      // Each depth expands the state the ballots chose at the depth before.
      assert.deepStrictEqual(requests.slice(0, 5).map((r) => pathOf(r)), Array(5).fill([]))
      assert.deepStrictEqual(requests.slice(5, 10).map((r) => pathOf(r)), Array(5).fill(["s3"]))
      assert.deepStrictEqual(requests.slice(10, 15).map((r) => pathOf(r)), Array(5).fill(["s3", "s3.3"]))
      assert.deepStrictEqual(pathOf(requests[15]!), ["s3", "s3.3", "s3.3.3"])
      assert.strictEqual(output.answer, "s3>s3.3>s3.3.3")
      // The two ballots of a state see its candidates in opposite orders (position bias).
      assert.deepStrictEqual([candidatesOf(requests[3]!), candidatesOf(requests[4]!)], [["s1", "s2", "s3"], ["s3", "s2", "s1"]])

      assert.deepStrictEqual(trace.bestPath.map((id) => trace.nodes[id]!.thought), ["", "s3", "s3.3", "s3.3.3"])
      assert.deepStrictEqual(trace.calls, { generation: 9, evaluation: 6, final: 1, total: 16 })
      assert.strictEqual(trace.stopReason, "completed")
      assert.strictEqual(trace.budgetExhausted, false)
      const s3 = node(trace, "s3")
      assert.deepStrictEqual(
        { status: s3.status, score: s3.score, votes: s3.votes, ballots: s3.ballots, calls: s3.calls },
        { status: "expanded", score: 1, votes: 2, ballots: [node(trace, "s3.3").id, node(trace, "s3.3").id], calls: 3 }
      )
      // Unchosen candidates got no ballot: share 0 is under the threshold.
      assert.deepStrictEqual([node(trace, "s1").status, node(trace, "s1").score], ["pruned", 0])
      assert.strictEqual(node(trace, "s3.3.3").status, "final")
      assert.strictEqual(trace.nodes.reduce((n, x) => n + x.calls, 0) + 1, trace.calls.total)
      assert.isTrue(Conformance.isPlainJson(trace))
    }))

  it.effect("value with a beam of 2: each kept state is expanded at the next depth, one value call per candidate", () =>
    Effect.gen(function*() {
      const { requests, trace } = yield* solve(
        valueScript({ s1: 0.9, s2: 0.8, s3: 0.2, "s2.1": 0.95, "s1.2": 0.85 }),
        { tree_depth: 2, branches_per_step: 3, evaluation_method: "value", beam_width: 2, max_evaluations: 30 }
      )
      assert.deepStrictEqual(kinds(requests), [
        ...Array(3).fill("generate"),
        ...Array(3).fill("value"),
        ...Array(6).fill("generate"),
        ...Array(6).fill("value"),
        "final"
      ])
      const expandedFrom = requests.slice(6, 12).map((r) => pathOf(r).join(">")).sort()
      assert.deepStrictEqual(expandedFrom, ["s1", "s1", "s1", "s2", "s2", "s2"])
      assert.deepStrictEqual(trace.bestPath.map((id) => trace.nodes[id]!.thought), ["", "s2", "s2.1"])
      // s1.2 is the beam's second state; s1.1 scored as well as others but did not make the beam.
      assert.deepStrictEqual([node(trace, "s1.2").status, node(trace, "s1.2").note], ["kept", null])
      assert.deepStrictEqual(
        [node(trace, "s1.1").status, node(trace, "s1.1").note],
        ["kept", "outside the beam (an alternative for backtracking)"]
      )
      assert.deepStrictEqual(trace.calls, { generation: 9, evaluation: 9, final: 1, total: 19 })
    }))
})

describe("pruning", () => {
  it.effect("candidates under the threshold are marked pruned and never expanded", () =>
    Effect.gen(function*() {
      const { requests, trace } = yield* solve(
        valueScript({ s1: 0.29, s2: 0.9, s3: 0.1 }),
        { tree_depth: 2, branches_per_step: 3, evaluation_method: "value", beam_width: 3, pruning_threshold: 0.3 }
      )
      for (const t of ["s1", "s3"]) {
        const n = node(trace, t)
        assert.strictEqual(n.status, "pruned")
        assert.strictEqual(n.note, "below the threshold 0.3")
        assert.strictEqual(n.expansions, 0)
        assert.isFalse(requests.some((r) => pathOf(r).includes(t)), `${t} was expanded`)
      }
      // The beam has room for 3, but only s2 survived.
      assert.deepStrictEqual(requests.slice(6, 9).map((r) => pathOf(r)), [["s2"], ["s2"], ["s2"]])
      assert.strictEqual(node(trace, "s2").status, "expanded")
      assert.strictEqual(trace.nodes.filter((n) => n.depth === 2).length, 3)
    }))

  it.effect("empty thoughts are pruned without spending an evaluation on them", () =>
    Effect.gen(function*() {
      let generations = 0
      const { requests, trace } = yield* solve((request) => {
        switch (kindOf(request)) {
          case "generate":
            return generations++ % 2 === 0 ? "  " : `idea ${generations}`
          case "value":
            return "Score: 0.7"
          default:
            return "Answer: 42"
        }
      }, { tree_depth: 1, branches_per_step: 4, evaluation_method: "value" })
      assert.deepStrictEqual(kinds(requests).filter((k) => k === "value").length, 2)
      assert.deepStrictEqual(trace.nodes.filter((n) => n.note === "empty thought (not evaluated)").length, 2)
    }))
})

describe("backtracking", () => {
  // s1 wins depth 1, every child of s1 fails; s2 was kept as an alternative.
  const scores = { s1: 0.9, s2: 0.6, "s1.1": 0.1, "s1.2": 0.05, "s2.1": 0.8, "s2.2": 0.4 }
  const parameters = { tree_depth: 3, branches_per_step: 2, evaluation_method: "value", beam_width: 1, max_evaluations: 40 } as const

  it.effect("when every candidate at depth 2 is pruned, returns to the best kept sibling and records it", () =>
    Effect.gen(function*() {
      const { output, requests, trace } = yield* solve(valueScript(scores), { ...parameters, backtrack_on_failure: true })
      const s1 = node(trace, "s1")
      const s2 = node(trace, "s2")
      assert.strictEqual(s1.status, "backtracked")
      assert.deepStrictEqual(trace.backtracks, [{ atDepth: 2, from: [s1.id], to: [s2.id], action: "sibling" }])
      // After the failure at depth 2 the next generations start from s2.
      assert.deepStrictEqual(requests.slice(8, 10).map((r) => pathOf(r)), [["s2"], ["s2"]])
      assert.deepStrictEqual(trace.bestPath.map((id) => trace.nodes[id]!.thought), ["", "s2", "s2.1", "s2.1.1"])
      assert.strictEqual(output.answer, "s2.1.1")
      assert.strictEqual(trace.stopReason, "completed")
    }))

  it.effect("with backtracking off, answers from the best path so far", () =>
    Effect.gen(function*() {
      const { output, requests, trace } = yield* solve(valueScript(scores), { ...parameters, backtrack_on_failure: false })
      assert.deepStrictEqual(kinds(requests), ["generate", "generate", "value", "value", "generate", "generate", "value", "value", "final"])
      assert.deepStrictEqual(trace.backtracks, [])
      assert.strictEqual(trace.stopReason, "dead_end")
      assert.deepStrictEqual(trace.bestPath.map((id) => trace.nodes[id]!.thought), ["", "s1"])
      assert.strictEqual(node(trace, "s1").status, "final")
      assert.strictEqual(node(trace, "s2").status, "kept")
      assert.strictEqual(output.answer, "s1")
    }))

  it.effect("with no kept alternative, generates fresh candidates from the failed state, then goes up", () =>
    Effect.gen(function*() {
      // Depth 1: s1 survives alone. Depth 2: s1.1, s1.2 fail; s1 is regenerated: s1.3 survives.
      const { requests, trace } = yield* solve(
        valueScript({ s1: 0.9, s2: 0.1, "s1.1": 0.1, "s1.2": 0.1, "s1.3": 0.7, "s1.4": 0.2 }),
        { tree_depth: 2, branches_per_step: 2, evaluation_method: "value", max_evaluations: 40 }
      )
      const s1 = node(trace, "s1")
      assert.deepStrictEqual(trace.backtracks, [{ atDepth: 2, from: [s1.id], to: [s1.id], action: "regenerate" }])
      assert.strictEqual(s1.expansions, 2)
      assert.deepStrictEqual(trace.bestPath.map((id) => trace.nodes[id]!.thought), ["", "s1", "s1.3"])
      assert.strictEqual(kinds(requests).filter((k) => k === "generate").length, 6)

      // Everything fails: s1 gets its second try, then the root its second, then the search gives up.
      const dead = yield* solve(valueScript({ s1: 0.9 }, 0), { tree_depth: 3, branches_per_step: 2, evaluation_method: "value", max_evaluations: 40 })
      assert.deepStrictEqual(dead.trace.backtracks.map((b) => b.action), ["regenerate", "regenerate"])
      assert.strictEqual(node(dead.trace, "s1").status, "backtracked")
      assert.strictEqual(dead.trace.nodes[0]!.expansions, 2)
      assert.strictEqual(dead.trace.stopReason, "dead_end")
      assert.deepStrictEqual(dead.trace.bestPath, [0])
      assert.strictEqual(dead.trace.nodes[0]!.status, "final")
    }))
})

describe("abstentions", () => {
  it.effect("garbage ballots are abstentions: left out of the shares, and a state with no readable ballot prunes its candidates", () =>
    Effect.gen(function*() {
      const name = namer()
      let ballots = 0
      const { output, trace } = yield* solve((request) => {
        switch (kindOf(request)) {
          case "generate":
            return name(request)
          case "vote":
            // Depth 1: one readable ballot and one garbage; depth 2 (ballots 3 and 4): garbage only.
            return ++ballots === 1 ? "The best choice is 2" : "}{ <<garbage>> \u0000 The best choice is 9"
          default:
            return "Answer: 42"
        }
      }, { tree_depth: 2, branches_per_step: 3, evaluation_method: "vote", backtrack_on_failure: false })
      assert.strictEqual(output.answer, "42")
      assert.strictEqual(trace.abstentions, 3)
      const root = trace.nodes[0]!
      assert.deepStrictEqual(root.ballots, [node(trace, "s2").id, null])
      assert.deepStrictEqual([node(trace, "s2").score, node(trace, "s2").votes, node(trace, "s1").score], [1, 1, 0])
      const deeper = trace.nodes.filter((n) => n.depth === 2)
      assert.strictEqual(deeper.length, 3)
      for (const n of deeper) {
        assert.deepStrictEqual([n.status, n.score, n.abstained], ["pruned", null, true])
        assert.strictEqual(n.note, "abstained: its evaluation could not be read")
      }
      assert.strictEqual(trace.stopReason, "dead_end")
    }))

  it.effect("unreadable values are abstentions; labels and percentages are read", () =>
    Effect.gen(function*() {
      const replies: Record<string, string> = { s1: "no idea", s2: "Verdict: likely", s3: "Score: 80%", s4: "Score: 7/10" }
      const name = namer()
      const { trace } = yield* solve((request) => {
        switch (kindOf(request)) {
          case "generate":
            return name(request)
          case "value":
            return replies[candidateOf(request)] ?? "???"
          default:
            return "Answer: 42"
        }
      }, { tree_depth: 1, branches_per_step: 4, evaluation_method: "value", beam_width: 4 })
      assert.deepStrictEqual(
        ["s1", "s2", "s3", "s4"].map((t) => [node(trace, t).score, node(trace, t).abstained, node(trace, t).status]),
        [[null, true, "pruned"], [0.5, false, "kept"], [0.8, false, "final"], [0.7, false, "kept"]]
      )
      assert.strictEqual(trace.abstentions, 1)
    }))
})

describe("failures", () => {
  it.effect("a model error in the middle of the search fails the question with that LlmError", () =>
    Effect.gen(function*() {
      const name = namer()
      const exit = yield* Effect.exit(solve((request, index) => {
        if (index === 6) return new LlmClient.LlmError({ category: "network_timeout", message: "boom", recoverable: true })
        return kindOf(request) === "generate" ? name(request) : kindOf(request) === "vote" ? "The best choice is 1" : "Answer: 1"
      }, {}))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const failure = Cause.failureOption(exit.cause)
        assert.strictEqual(failure._tag === "Some" ? failure.value._tag : "none", "LlmError")
      }
    }))

  it.effect("an empty final reply is an AgentError, like the baseline's", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(solve((request) => (kindOf(request) === "final" ? "" : "Score: 0.9\nThe best choice is 1"), {}))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const failure = Cause.failureOption(exit.cause)
        assert.strictEqual(failure._tag === "Some" ? failure.value._tag : "none", "AgentError")
      }
    }))
})
