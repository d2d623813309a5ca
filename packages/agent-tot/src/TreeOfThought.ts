/**
 * The `tot` agent: Tree of Thoughts (Yao et al., 2023) as a real search driven by the agent over
 * many model calls per question — not one prompt asking the model to imagine a tree.
 *
 * Breadth-first with a beam: at each depth every kept state gets `branches_per_step` candidate
 * next thoughts (one generation call each), the candidates are evaluated (`vote`: two ballots per
 * state over all its candidates; `value`: one 0..1 score per candidate), those under
 * `pruning_threshold` are pruned, the best `beam_width` go one level deeper, and a final call
 * answers from the best path. When every candidate of a depth is pruned, the search backtracks
 * (if `backtrack_on_failure`) to the deepest state that still has an alternative. It never makes
 * more than `max_evaluations` calls for one question; the last one is kept for the final answer.
 *
 * The reasoning trace (plain JSON) holds the whole tree:
 *
 * ```
 * { kind: "tot",
 *   parameters,                    // the decoded agent parameters the search ran with
 *   nodes: [{ id, parentId, depth, thought, score, votes, abstained, status, note, ballots,
 *             expansions, calls, tokens }],   // node 0 is the root (the bare question)
 *   bestPath: [0, …, finalNodeId],  // the steps the final answer was given from
 *   backtracks: [{ atDepth, from: [ids], to: [ids], action: "sibling" | "regenerate" }],
 *   calls: { generation, evaluation, final, total },
 *   tokens: { prompt, completion, total },
 *   abstentions,                    // ballots or values that could not be read
 *   budgetExhausted,                // true when the budget cut the search short
 *   stopReason: "completed" | "budget" | "dead_end",
 *   final: { nodeId, tokens, finishReason },
 *   finalAnswer }
 * ```
 *
 * Every call is booked on exactly one node (its generation and value calls on the candidate, the
 * vote calls over a state's candidates on that state) or on `final`, so the nodes' `calls` plus
 * one equal `calls.total`, and a CLI can draw the tree with what each branch cost.
 */
import { Agent, AgentConfig, LlmClient } from "@ml-agents/core"
import { Effect, Schema } from "effect"
import * as Prompts from "./internal/Prompts.js"
import * as Search from "./internal/Search.js"

/** The agent's parameters, with the defaults of SPEC.md's `TOT_AGENT_DEFAULTS`. */
export const Parameters = Schema.Struct({
  tree_depth: Schema.optionalWith(
    Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)).annotations({ description: "reasoning steps from the question to the answer" }),
    { default: () => 3 }
  ),
  branches_per_step: Schema.optionalWith(
    Schema.Int.pipe(Schema.between(1, 10)).annotations({ description: "candidate next thoughts generated per kept state" }),
    { default: () => 4 }
  ),
  evaluation_method: Schema.optionalWith(
    Schema.Literal("vote", "value").annotations({ description: "vote: ballots compare a state's candidates; value: each candidate gets a 0..1 score" }),
    { default: () => "vote" as const }
  ),
  pruning_threshold: Schema.optionalWith(
    Schema.Number.pipe(Schema.between(0, 1)).annotations({ description: "candidates scoring under this (0..1) are pruned" }),
    { default: () => 0.3 }
  ),
  backtrack_on_failure: Schema.optionalWith(
    Schema.Boolean.annotations({ description: "when every candidate of a depth is pruned, return to an earlier alternative" }),
    { default: () => true }
  ),
  max_evaluations: Schema.optionalWith(
    Schema.Int.pipe(Schema.greaterThanOrEqualTo(2)).annotations({ description: "most model calls for one question, final answer included" }),
    { default: () => 20 }
  ),
  beam_width: Schema.optionalWith(
    Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)).annotations({ description: "states kept per depth" }),
    { default: () => 1 }
  )
})

/** The decoded parameters. */
export type Parameters = typeof Parameters.Type

/** What a node of the tree is now. */
export type NodeStatus =
  /** Survived evaluation and was not expanded (yet): in the beam, or an alternative for backtracking. */
  | "kept"
  /** Scored under the threshold, abstained on, or empty: never expanded. */
  | "pruned"
  /** Expanded; the search left it when its whole subtree was pruned. */
  | "backtracked"
  /** Candidates were generated from it. */
  | "expanded"
  /** The last step of the best path: the final answer was given from here. */
  | "final"

/** One node of the search tree, as stored in the trace. */
export interface TraceNode {
  readonly id: number
  /** null for the root. */
  readonly parentId: number | null
  /** 0 for the root (the question itself), 1 for the first step, … */
  readonly depth: number
  /** The step of reasoning this node adds ("" for the root). */
  readonly thought: string
  /** Vote share or value, 0..1; null for the root and for abstained or unevaluated candidates. */
  readonly score: number | null
  /** Ballots this candidate received (vote); null with `value` and for the root. */
  readonly votes: number | null
  /** Its evaluation could not be read (value) or every ballot over it abstained (vote). */
  readonly abstained: boolean
  readonly status: NodeStatus
  /** Why it has this status when that is not obvious ("below the threshold 0.3", …). */
  readonly note: string | null
  /** On a state whose candidates were voted on: each ballot's choice (a node id), null for an abstention. */
  readonly ballots: ReadonlyArray<number | null> | null
  /** How many times candidates were generated from it (a regeneration makes 2). */
  readonly expansions: number
  /** Model calls booked on this node. */
  readonly calls: number
  /** Tokens (prompt + completion) of those calls. */
  readonly tokens: number
}

/** A return to an earlier state after every candidate of a depth was pruned. */
export interface TraceBacktrack {
  /** The depth at which every candidate was pruned. */
  readonly atDepth: number
  /** The states whose candidates all failed. */
  readonly from: ReadonlyArray<number>
  /** The states the search went on from. */
  readonly to: ReadonlyArray<number>
  /** `sibling`: kept alternatives were expanded; `regenerate`: fresh candidates from an earlier state. */
  readonly action: "sibling" | "regenerate"
}

/** The reasoning trace of one question (plain JSON). */
export interface Trace {
  readonly kind: "tot"
  readonly parameters: Parameters
  readonly nodes: ReadonlyArray<TraceNode>
  readonly bestPath: ReadonlyArray<number>
  readonly backtracks: ReadonlyArray<TraceBacktrack>
  readonly calls: { readonly generation: number; readonly evaluation: number; readonly final: number; readonly total: number }
  readonly tokens: { readonly prompt: number; readonly completion: number; readonly total: number }
  /** Ballots or values that could not be read. */
  readonly abstentions: number
  /** The budget cut the search short (a step got fewer candidates, or the search stopped early). */
  readonly budgetExhausted: boolean
  /** `completed`: reached `tree_depth`; `budget`: no room for another step; `dead_end`: everything pruned, nowhere to backtrack. */
  readonly stopReason: "completed" | "budget" | "dead_end"
  readonly final: { readonly nodeId: number; readonly tokens: number; readonly finishReason: string | null }
  readonly finalAnswer: string | null
}

/**
 * The stable phrases of the search's prompts, one per call kind; the simulator keys its replies on
 * them (packages/simulator/src/internal/TotReply.ts mirrors this object).
 */
export const markers = Prompts.markers

/** Ballots cast per state in `vote` mode. */
export const VOTE_BALLOTS = Search.VOTE_BALLOTS

/** The fewest `max_tokens` a configuration may give the model for one step. */
export const MIN_MAX_TOKENS = 64

/**
 * Checks that a configuration can run the first step of the search (its generations and their
 * evaluation) and the final answer within `max_evaluations`, and that `max_tokens` leaves room
 * for a step of reasoning.
 */
export const validate = (config: {
  readonly modelParameters: AgentConfig.ModelParameters
  readonly parameters: Parameters
}): string | undefined => {
  const p = config.parameters
  const first = Search.stepCalls(p.branches_per_step, p.evaluation_method)
  if (first + 1 > p.max_evaluations) {
    const evaluation = p.evaluation_method === "vote"
      ? `${first - p.branches_per_step} vote calls`
      : `${p.branches_per_step} value calls`
    return `max_evaluations ${p.max_evaluations} is too small: the first step alone takes ${first} calls ` +
      `(${p.branches_per_step} generations and ${evaluation}) and the final answer one more, ` +
      `so raise max_evaluations to at least ${first + 1} or lower branches_per_step`
  }
  const maxTokens = config.modelParameters.maxTokens
  if (maxTokens !== undefined && maxTokens < MIN_MAX_TOKENS) {
    return `max_tokens ${maxTokens} is too few for a step of reasoning; the tot agent needs at least ${MIN_MAX_TOKENS}`
  }
  return undefined
}

/** The `tot` agent. */
export const agent: Agent.Agent<Parameters> = Agent.make({
  id: "tot",
  description:
    "Tree of Thoughts (Yao et al., 2023): a breadth-first beam search over reasoning steps scored by vote or value, with pruning, backtracking and a hard call budget.",
  parameters: Parameters,
  modelDefaults: new AgentConfig.ModelParameters({ temperature: 0.9, maxTokens: 1500 }),
  validate,
  maxCalls: (parameters) => parameters.max_evaluations,
  solve: Effect.fn("TreeOfThought.solve")(function*({ model, modelParameters, parameters, question }) {
    const llm = yield* LlmClient.LlmClient
    const result = yield* Search.run({ llm, question: question.text, model, modelParameters, parameters })
    if (result.rawOutput.trim() === "") {
      // As with the baseline: an empty final reply is a failed question, with the reason kept.
      return yield* new Agent.AgentError({
        category: result.finishReason === "length" ? "token_limit_exceeded" : "parsing_error",
        message: result.finishReason === "length"
          ? "the model used all its max_tokens before giving the final answer"
          : "the model returned an empty final answer",
        details: `finish_reason=${result.finishReason ?? "none"}; ${result.trace.calls.total} calls, ` +
          `${result.trace.nodes.length} nodes, stop ${result.trace.stopReason}`
      })
    }
    return { answer: result.trace.finalAnswer, rawOutput: result.rawOutput, trace: result.trace }
  })
})
