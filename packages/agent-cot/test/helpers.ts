/**
 * Shared fixtures of the agent's tests: a question, model list entries, and solving one question
 * against a scripted client.
 */
import { Agent, AgentConfig, Benchmark, LlmClient } from "@ml-agents/core"
import type { ScriptedLlmClient } from "@ml-agents/core/testing"
import { Effect } from "effect"
import { ChainOfThought } from "../src/index.js"

/** The question most tests ask. */
export const question = new Benchmark.Question({ id: "q1", text: "What is 6 times 7?", expectedAnswer: "42", metadata: {} })

/** A model list entry with the given supported parameters. */
export const modelInfo = (id: string, supportedParameters: ReadonlyArray<string>): LlmClient.ModelInfo => ({
  id,
  name: id,
  contextLength: 8192,
  supportedParameters,
  pricing: null
})

/** The agent's default sampling parameters. */
export const defaults = ChainOfThought.agent.modelDefaults

/** Solves `question` with the scripted client, decoding `parameters` as the CLI would. */
export const solveWith = (
  client: LlmClient.LlmClient.Service,
  options: {
    readonly parameters?: Readonly<Record<string, unknown>>
    readonly model?: string
    readonly modelParameters?: AgentConfig.ModelParameters
  } = {}
) =>
  Effect.gen(function*() {
    const parameters = yield* Agent.decodeParameters(ChainOfThought.agent, options.parameters ?? {}).pipe(Effect.orDie)
    return yield* ChainOfThought.agent.solve({
      question,
      model: options.model ?? "test/model",
      modelParameters: options.modelParameters ?? defaults,
      parameters
    }).pipe(Effect.provideService(LlmClient.LlmClient, client))
  })

/** A scripted client whose model list is counted, or fails with the given error. */
export const withModelList = (
  scripted: ScriptedLlmClient.Scripted,
  list: ReadonlyArray<LlmClient.ModelInfo> | LlmClient.LlmError
): { readonly client: LlmClient.LlmClient.Service; readonly listCalls: () => number } => {
  let calls = 0
  const listModels = Effect.suspend(() => {
    calls++
    return list instanceof LlmClient.LlmError ? Effect.fail(list) : Effect.succeed(list)
  })
  return { client: { ...scripted.client, listModels }, listCalls: () => calls }
}

/** The trace of an output, typed. */
export const traceOf = (output: Agent.AgentOutput) => output.trace as ChainOfThought.Trace
