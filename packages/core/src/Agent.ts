/**
 * The agent plugin contract. An agent is a value: an id, a description, a parameter schema
 * whose decoding fills in defaults, sampling defaults, and a `solve` effect that needs nothing
 * but an `LlmClient`. Built-in agents and third-party packages satisfy the same contract.
 */
import { Effect, ParseResult, Schema, SchemaAST } from "effect"
import type { ModelParameters } from "./AgentConfig.js"
import type { Question } from "./Benchmark.js"
import { FailureCategory, FailureReason } from "./FailureReason.js"
import type { LlmClient, LlmError } from "./LlmClient.js"

/** What an agent is given for one question. */
export interface SolveInput<P> {
  readonly question: Question
  /** The model id, e.g. `openai/gpt-4o-mini`. */
  readonly model: string
  readonly modelParameters: ModelParameters
  /** The agent's own parameters, decoded with defaults by its schema. */
  readonly parameters: P
}

/** What an agent returns for one question. */
export interface AgentOutput {
  /** The final answer extracted from the model's output; null when none could be found. */
  readonly answer: string | null
  /** The model's final raw output, kept for audit and re-grading. */
  readonly rawOutput: string
  /** Any JSON value that shows how the agent reached its answer. */
  readonly trace: unknown
  /**
   * The raw outputs of the k candidates the agent drew independently for this question (e.g.
   * self-consistency's k samples, best-of-k's candidates), when it drew several: each is graded on
   * its own, as if it were the final reply, and stored with its grade, so that pass@1 and pass@k
   * are estimated from them (n = k samples, c = the correct ones). Only independent draws of a
   * whole answer belong here, never a tree's intermediate thoughts or a refinement's earlier
   * drafts; the final answer is still graded as `answer`/`rawOutput`. Unset (or empty): the agent
   * gave one answer, and the question is one sample.
   */
  readonly samples?: ReadonlyArray<string> | undefined
}

/** An expected failure of an agent on one question (the model's reply could not be used). */
export class AgentError extends Schema.TaggedError<AgentError>()("AgentError", {
  category: FailureCategory,
  message: Schema.String,
  details: Schema.optional(Schema.String)
}) {
  /** The stored form of this error. */
  toFailureReason(): FailureReason {
    return new FailureReason({
      category: this.category,
      description: this.message,
      technicalDetails: this.details ?? "",
      recoverable: false
    })
  }
}

/** The contract every agent satisfies. */
export interface Agent<P = unknown> {
  /** The id users type (`--agent <id>`): lowercase letters, digits and dashes. */
  readonly id: string
  /** One line saying what the agent does. */
  readonly description: string
  /** Decodes the user's agent parameters, filling in defaults; an empty object must decode. */
  readonly parameters: Schema.Schema<P, any>
  /** Sampling defaults for this agent, overridden by configuration and flags. */
  readonly modelDefaults: ModelParameters
  /**
   * Checks a whole configuration when an evaluation is created (e.g. too few max tokens to
   * reason); returns the problem in one sentence, or undefined when the configuration is usable.
   */
  readonly validate?: ((config: { readonly modelParameters: ModelParameters; readonly parameters: P }) => string | undefined) | undefined
  /** The most model calls one question may take with these parameters (for cost estimates); 1 when absent. */
  readonly maxCalls?: ((parameters: P) => number) | undefined
  /** Solves one question. */
  readonly solve: (input: SolveInput<P>) => Effect.Effect<AgentOutput, AgentError | LlmError, LlmClient>
}

/** Identity helper that infers an agent's parameter type. */
export const make = <P>(agent: Agent<P>): Agent<P> => agent

/** One value that does not fit: the parameter's name and what is wrong with it, in one line. */
export const ParameterIssue = Schema.Struct({
  /** The parameter (`tree_depth`, or a model parameter such as `temperature`). */
  parameter: Schema.String,
  /** What is wrong, e.g. `Expected a number between 0 and 2, actual 5`. */
  problem: Schema.String
})

/** Agent parameters that do not fit an agent's schema. */
export class InvalidAgentParameters extends Schema.TaggedError<InvalidAgentParameters>()("InvalidAgentParameters", {
  agentId: Schema.String,
  message: Schema.String,
  /** Which parameters are wrong, one issue each, when known: for messages that name the flag. */
  issues: Schema.optional(Schema.Array(ParameterIssue)),
  /** `model` when the sampling parameters (temperature, max_tokens, top_p) are wrong, not the agent's. */
  kind: Schema.optional(Schema.Literal("agent", "model"))
}) {}

/**
 * The issues of a decoding failure, one per parameter (the first problem found for it), without
 * the schema tree: "Expected number, actual \"deep\"" rather than ten lines of unions.
 */
export const parameterIssues = (error: ParseResult.ParseError): ReadonlyArray<typeof ParameterIssue.Type> => {
  const seen = new Map<string, string>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const parameter = issue.path.map(String).join(".")
    if (!seen.has(parameter)) seen.set(parameter, issue.message)
  }
  return [...seen].map(([parameter, problem]) => ({ parameter, problem }))
}

const describeIssues = (issues: ReadonlyArray<typeof ParameterIssue.Type>) =>
  issues.map((i) => (i.parameter === "" ? i.problem : `${i.parameter}: ${i.problem}`)).join("; ")

/** Decodes (and validates) user-supplied parameters for an agent, rejecting unknown keys. */
export const decodeParameters = <P>(
  agent: Agent<P>,
  input: Readonly<Record<string, unknown>>
): Effect.Effect<P, InvalidAgentParameters> => {
  const known = new Set(parameterNames(agent))
  const unknown = Object.keys(input).filter((key) => !known.has(key))
  if (unknown.length > 0) {
    return Effect.fail(
      new InvalidAgentParameters({
        agentId: agent.id,
        message: `unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `'${k}'`).join(", ")}` +
          (known.size > 0 ? ` (known: ${[...known].join(", ")})` : ` (agent '${agent.id}' takes no parameters)`)
      })
    )
  }
  return Schema.decodeUnknown(agent.parameters, { errors: "all", onExcessProperty: "error" })(input).pipe(
    Effect.mapError((error) => {
      const issues = parameterIssues(error)
      return new InvalidAgentParameters({ agentId: agent.id, message: describeIssues(issues), issues, kind: "agent" })
    })
  )
}

/** The names of an agent's parameters, read from its schema. */
export const parameterNames = (agent: Agent<any>): ReadonlyArray<string> => {
  const ast = SchemaAST.encodedAST(agent.parameters.ast)
  return SchemaAST.isTypeLiteral(ast) ? ast.propertySignatures.map((p) => String(p.name)) : []
}

/** An agent's parameters with their defaults (what an empty object decodes to). */
export const parameterDefaults = (agent: Agent<any>): Effect.Effect<Readonly<Record<string, unknown>>, InvalidAgentParameters> =>
  Schema.decodeUnknown(agent.parameters)({}).pipe(
    Effect.map((p) => ({ ...(p as Record<string, unknown>) })),
    Effect.mapError((error) =>
      new InvalidAgentParameters({ agentId: agent.id, message: ParseResult.TreeFormatter.formatErrorSync(error) })
    )
  )
