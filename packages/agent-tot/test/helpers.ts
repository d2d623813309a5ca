/**
 * Test helpers: run the `tot` agent on a scripted model whose replies depend on the kind of
 * prompt (told apart by the agent's own marker phrases) and on the path the prompt shows.
 */
import { Agent, AgentConfig, Benchmark, LlmClient } from "@ml-agents/core"
import { ScriptedLlmClient } from "@ml-agents/core/testing"
import { Effect } from "effect"
import { TreeOfThought } from "../src/index.js"

/** The kind of a request of the search. */
export type Kind = "generate" | "vote" | "value" | "final"

const userText = (request: LlmClient.ChatRequest): string => request.messages.at(-1)?.content ?? ""

/** Which kind of call a request is, read from the marker phrases. */
export const kindOf = (request: LlmClient.ChatRequest): Kind => {
  const text = userText(request)
  const m = TreeOfThought.markers
  if (text.includes(m.generate)) return "generate"
  if (text.includes(m.vote)) return "vote"
  if (text.includes(m.value)) return "value"
  if (text.includes(m.final)) return "final"
  throw new Error(`unknown prompt kind: ${text.slice(0, 200)}`)
}

/** The thoughts of the path a prompt shows (`Step 1: …` lines). */
export const pathOf = (request: LlmClient.ChatRequest): Array<string> =>
  [...userText(request).matchAll(/^Step \d+: (.*)$/gm)].map((m) => m[1]!)

/** The candidates a vote prompt shows. */
export const candidatesOf = (request: LlmClient.ChatRequest): Array<string> =>
  [...userText(request).matchAll(/^Candidate \d+:\n(.*)$/gm)].map((m) => m[1]!)

/** The one candidate a value prompt shows. */
export const candidateOf = (request: LlmClient.ChatRequest): string =>
  /^Candidate next step:\n(.*)$/m.exec(userText(request))?.[1] ?? ""

/**
 * Names thoughts by their place in the tree: the root's children are `s1`, `s2`, …, the children
 * of `s1` are `s1.1`, `s1.2`, … numbered in the order their generation calls arrive.
 */
export const namer = () => {
  const counters = new Map<string, number>()
  return (request: LlmClient.ChatRequest): string => {
    const path = pathOf(request)
    const key = path.join(" > ")
    const n = (counters.get(key) ?? 0) + 1
    counters.set(key, n)
    return path.length === 0 ? `s${n}` : `${path.at(-1)}.${n}`
  }
}

/** A question for the scripted runs. */
export const question = new Benchmark.Question({ id: "q1", text: "What is 6 times 7?", expectedAnswer: "42", metadata: {} })

/** Decodes agent parameters, filling defaults. */
export const params = (input: Partial<TreeOfThought.Parameters>): Effect.Effect<TreeOfThought.Parameters, Agent.InvalidAgentParameters> =>
  Agent.decodeParameters(TreeOfThought.agent, input)

/** Solves `question` with a scripted model; gives the output, its trace and the recorded requests. */
export const solve = (
  script: ScriptedLlmClient.Script,
  parameters: Partial<TreeOfThought.Parameters>,
  modelParameters: AgentConfig.ModelParameters = new AgentConfig.ModelParameters({ temperature: 0.9, maxTokens: 500 })
) =>
  Effect.gen(function*() {
    const scripted = ScriptedLlmClient.make(script)
    const output = yield* TreeOfThought.agent.solve({
      question,
      model: "test/model",
      modelParameters,
      parameters: yield* params(parameters)
    }).pipe(Effect.provideService(LlmClient.LlmClient, scripted.client))
    return { output, trace: output.trace as TreeOfThought.Trace, requests: scripted.requests }
  })

/** The kinds of the recorded requests, in order. */
export const kinds = (requests: ReadonlyArray<LlmClient.ChatRequest>): Array<Kind> => requests.map(kindOf)

/** A node of a trace by its thought. */
export const node = (trace: TreeOfThought.Trace, thought: string): TreeOfThought.TraceNode => {
  const found = trace.nodes.find((n) => n.thought === thought)
  if (found === undefined) throw new Error(`no node '${thought}' in ${trace.nodes.map((n) => n.thought).join(", ")}`)
  return found
}
