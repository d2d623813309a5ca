/**
 * The tree-of-thoughts search itself: breadth-first over depths with a beam, concurrent calls
 * within a depth, pruning, depth-first backtracking, a planner that fits every step into the call
 * budget, and the final answer from the best path. The tree is kept as mutable nodes while the
 * search runs and copied into the plain-JSON trace at the end.
 */
import { type AgentConfig, Answer, type LlmClient } from "@ml-agents/core"
import { Effect } from "effect"
import type { NodeStatus, Parameters, Trace, TraceBacktrack, TraceNode } from "../TreeOfThought.js"
import * as Budget from "./Budget.js"
import * as Parse from "./Parse.js"
import * as Prompts from "./Prompts.js"

/**
 * Ballots per state in `vote` mode. One ballot can only split candidates into 1 and 0, which
 * makes `pruning_threshold` meaningless and never leaves a kept alternative to backtrack to; two
 * allow a split decision, and with the defaults 3 depths × (4 generations + 2 ballots) + the final
 * answer = 19 calls fit the budget of 20, where three ballots (22) would not.
 */
export const VOTE_BALLOTS = 2

/** Times candidates may be generated from one state: once, plus one fresh try when all failed. */
export const MAX_EXPANSIONS = 2

type Method = Parameters["evaluation_method"]

/**
 * Calls that one state with `k` candidates costs: the generations and their evaluation. A lone
 * candidate is not voted on — a vote among one says nothing and could only prune it by accident.
 */
export const stepCalls = (k: number, method: Method): number =>
  k <= 0 ? 0 : method === "value" ? 2 * k : k + (k >= 2 ? VOTE_BALLOTS : 0)

/**
 * Candidates per state for one step within `available` calls: `branches` each when they fit,
 * else handed out one at a time, best state first, as long as their calls fit (so a tight budget
 * narrows a step instead of overrunning it).
 */
export const plan = (states: number, branches: number, method: Method, available: number): Array<number> => {
  const counts = Array.from({ length: states }, () => 0)
  let left = available
  let progress = true
  while (progress) {
    progress = false
    for (let i = 0; i < states; i++) {
      const k = counts[i]!
      if (k >= branches) continue
      const cost = stepCalls(k + 1, method) - stepCalls(k, method)
      if (cost <= left) {
        counts[i] = k + 1
        left -= cost
        progress = true
      }
    }
  }
  return counts
}

interface Node {
  readonly id: number
  readonly parentId: number | null
  readonly depth: number
  readonly thought: string
  score: number | null
  votes: number | null
  abstained: boolean
  status: NodeStatus
  note: string | null
  ballots: Array<number | null> | null
  expansions: number
  calls: number
  tokens: number
}

/** What the search needs for one question. */
export interface Input {
  readonly llm: LlmClient.LlmClient.Service
  readonly question: string
  readonly model: string
  readonly modelParameters: AgentConfig.ModelParameters
  readonly parameters: Parameters
}

/** The outcome: the trace and the final call's raw reply. */
export interface Result {
  readonly trace: Trace
  readonly rawOutput: string
  readonly finishReason: string | null
}

// Best first: higher score, then the earlier node (a stable, reproducible tie-break).
const byScore = (a: Node, b: Node): number => (b.score ?? -1) - (a.score ?? -1) || a.id - b.id

/** Runs the search and the final answer for one question. */
export const run = (input: Input): Effect.Effect<Result, LlmClient.LlmError> =>
  Effect.gen(function*() {
    const p = input.parameters
    const method = p.evaluation_method
    const budget = Budget.make(input.llm, p.max_evaluations)
    const request = (messages: ReadonlyArray<LlmClient.ChatMessage>): LlmClient.ChatRequest => ({
      model: input.model,
      messages,
      temperature: input.modelParameters.temperature,
      maxTokens: input.modelParameters.maxTokens,
      topP: input.modelParameters.topP
    })

    const nodes: Array<Node> = []
    const addNode = (parent: Node | null, thought: string): Node => {
      const node: Node = {
        id: nodes.length,
        parentId: parent === null ? null : parent.id,
        depth: parent === null ? 0 : parent.depth + 1,
        thought,
        score: null,
        votes: null,
        abstained: false,
        status: "kept",
        note: null,
        ballots: null,
        expansions: 0,
        calls: 0,
        tokens: 0
      }
      nodes.push(node)
      return node
    }
    const parentOf = (node: Node): Node | undefined => (node.parentId === null ? undefined : nodes[node.parentId])
    const lineage = (node: Node): Array<Node> => {
      const out: Array<Node> = []
      for (let n: Node | undefined = node; n !== undefined; n = parentOf(n)) out.push(n)
      return out.reverse()
    }
    // The thoughts from the first step to `node`; the root adds none.
    const pathOf = (node: Node): Array<string> => lineage(node).slice(1).map((n) => n.thought)

    const root = addNode(null, "")
    root.note = "the question"
    const backtracks: Array<TraceBacktrack> = []
    let abstentions = 0
    let budgetExhausted = false
    let stopReason: Trace["stopReason"] = "completed"

    /** Generates `counts[i]` candidates from each state and evaluates them; returns the candidates. */
    const expand = (states: ReadonlyArray<Node>, counts: ReadonlyArray<number>) =>
      Effect.gen(function*() {
        const jobs: Array<Node> = []
        states.forEach((state, i) => {
          const k = counts[i] ?? 0
          if (k === 0) return
          state.expansions++
          state.status = "expanded"
          state.note = null
          for (let j = 0; j < k; j++) jobs.push(state)
        })

        // Every generation of the depth at once: wall time grows with depth, not depth × branches.
        const generated = yield* Effect.forEach(
          jobs,
          (state) => budget.chat("generation", request(Prompts.generate(input.question, pathOf(state)))),
          { concurrency: "unbounded" }
        )
        const children = generated.map((reply, i) => {
          const child = addNode(jobs[i]!, Parse.thought(reply.content))
          child.calls = 1
          child.tokens = reply.usage.totalTokens
          if (child.thought === "") {
            child.status = "pruned"
            child.note = "empty thought (not evaluated)"
          }
          return child
        })
        const live = children.filter((c) => c.status !== "pruned")

        if (method === "value") {
          const valued = yield* Effect.forEach(
            live,
            (child) =>
              budget.chat("evaluation", request(Prompts.value(input.question, pathOf(parentOf(child)!), child.thought))),
            { concurrency: "unbounded" }
          )
          valued.forEach((reply, i) => {
            const child = live[i]!
            child.calls++
            child.tokens += reply.usage.totalTokens
            child.score = Parse.value(reply.content)
            if (child.score === null) {
              child.abstained = true
              abstentions++
            }
          })
        } else {
          const groups = states
            .map((state) => ({ state, candidates: live.filter((c) => c.parentId === state.id) }))
            .filter((g) => g.candidates.length > 0)
          for (const g of groups) {
            if (g.candidates.length === 1) {
              const only = g.candidates[0]!
              only.score = 1
              only.note = "uncontested: the only candidate of its state, so no vote was taken"
            }
          }
          const contested = groups.filter((g) => g.candidates.length >= 2)
          // Every other ballot sees the candidates in reverse order, so that a judge's bias for
          // the first (or last) position cannot decide a state alone.
          const ballotJobs = contested.flatMap((g) =>
            Array.from({ length: VOTE_BALLOTS }, (_, b) => ({
              g,
              shown: b % 2 === 0 ? g.candidates : [...g.candidates].reverse()
            }))
          )
          const ballots = yield* Effect.forEach(
            ballotJobs,
            ({ g, shown }) =>
              budget.chat("evaluation", request(Prompts.vote(input.question, pathOf(g.state), shown.map((c) => c.thought)))),
            { concurrency: "unbounded" }
          )
          ballots.forEach((reply, i) => {
            const { g, shown } = ballotJobs[i]!
            const choice = Parse.vote(reply.content, shown.length)
            const chosen = choice === null ? null : shown[choice - 1]!
            if (chosen === null) abstentions++
            g.state.calls++
            g.state.tokens += reply.usage.totalTokens
            g.state.ballots = [...(g.state.ballots ?? []), chosen === null ? null : chosen.id]
            for (const c of g.candidates) c.votes = (c.votes ?? 0) + (c === chosen ? 1 : 0)
          })
          for (const g of contested) {
            const counted = g.candidates.reduce((n, c) => n + (c.votes ?? 0), 0)
            for (const c of g.candidates) {
              // Abstentions are left out of the share; with no readable ballot there is no share.
              c.score = counted === 0 ? null : (c.votes ?? 0) / counted
              c.abstained = counted === 0
            }
          }
        }

        for (const child of live) {
          if (child.score === null) {
            child.status = "pruned"
            child.note = "abstained: its evaluation could not be read"
          } else if (child.score < p.pruning_threshold) {
            child.status = "pruned"
            child.note = `below the threshold ${p.pruning_threshold}`
          }
        }
        return children
      })

    /**
     * Where to go when every candidate of a depth was pruned: the deepest state that still has an
     * alternative (depth-first) — kept but unexpanded states first, else a fresh expansion of a
     * state on the failed paths that has not had its second try. Undefined when none is left.
     */
    const backtrackTarget = (failed: ReadonlyArray<Node>) => {
      const kept = nodes.filter((n) => n.status === "kept")
      const onFailedPaths = new Map<number, Node>()
      for (const f of failed) for (const n of lineage(f)) onFailedPaths.set(n.id, n)
      const regenerable = [...onFailedPaths.values()].filter((n) => n.status === "expanded" && n.expansions < MAX_EXPANSIONS)
      const deepest = Math.max(-1, ...kept.map((n) => n.depth), ...regenerable.map((n) => n.depth))
      if (deepest < 0) return undefined
      const siblings = kept.filter((n) => n.depth === deepest).sort(byScore)
      if (siblings.length > 0) return { states: siblings.slice(0, p.beam_width), action: "sibling" as const }
      const fresh = regenerable.filter((n) => n.depth === deepest).sort(byScore)
      return { states: fresh.slice(0, p.beam_width), action: "regenerate" as const }
    }

    let frontier: Array<Node> = [root]
    while (frontier.length > 0) {
      const depth = frontier[0]!.depth
      if (depth >= p.tree_depth) break
      const counts = plan(frontier.length, p.branches_per_step, method, budget.searchCallsLeft())
      if (counts.every((k) => k === 0)) {
        budgetExhausted = true
        stopReason = "budget"
        break
      }
      if (counts.some((k) => k < p.branches_per_step)) budgetExhausted = true

      const expanded = frontier.filter((_, i) => (counts[i] ?? 0) > 0)
      const children = yield* expand(frontier, counts).pipe(
        Effect.withSpan("TreeOfThought.step", { attributes: { depth: depth + 1, states: expanded.length } })
      )
      const survivors = children.filter((c) => c.status !== "pruned").sort(byScore)
      if (survivors.length > 0) {
        frontier = survivors.slice(0, p.beam_width)
        for (const other of survivors.slice(p.beam_width)) other.note = "outside the beam (an alternative for backtracking)"
        continue
      }

      if (!p.backtrack_on_failure) {
        stopReason = "dead_end"
        break
      }
      const target = backtrackTarget(expanded)
      if (target === undefined) {
        stopReason = "dead_end"
        break
      }
      const resumed = new Set(target.states.flatMap((s) => lineage(s).map((n) => n.id)))
      for (const f of expanded) {
        for (let n: Node | undefined = f; n !== undefined && !resumed.has(n.id) && n.status === "expanded"; n = parentOf(n)) {
          n.status = "backtracked"
          n.note = "every candidate below it was pruned; the search backtracked"
        }
      }
      backtracks.push({
        atDepth: depth + 1,
        from: expanded.map((n) => n.id),
        to: target.states.map((n) => n.id),
        action: target.action
      })
      frontier = target.states
    }

    // The best path so far: the deepest state still standing, best scored first.
    const standing = nodes.filter((n) => n.status === "kept" || n.status === "expanded")
    const last = [...standing].sort((a, b) => b.depth - a.depth || byScore(a, b))[0] ?? root
    const reply = yield* budget.chat("final", request(Prompts.final(input.question, pathOf(last))))
    last.status = "final"
    last.note = null

    const usage = budget.usage()
    const trace: Trace = {
      kind: "tot",
      parameters: { ...p },
      nodes: nodes.map((n): TraceNode => ({ ...n, ballots: n.ballots === null ? null : [...n.ballots] })),
      bestPath: lineage(last).map((n) => n.id),
      backtracks,
      calls: usage.calls,
      tokens: usage.tokens,
      abstentions,
      budgetExhausted,
      stopReason,
      final: { nodeId: last.id, tokens: reply.usage.totalTokens, finishReason: reply.finishReason },
      finalAnswer: Answer.extract(reply.content)
    }
    return { trace, rawOutput: reply.content, finishReason: reply.finishReason }
  })
