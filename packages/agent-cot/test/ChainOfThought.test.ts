/**
 * The `cot` agent on a scripted client: choosing structured or text output from the model list,
 * reading JSON replies and falling back to text, parameters, validation and the plugin contract.
 */
import { assert, describe, it } from "@effect/vitest"
import { Agent, AgentConfig, LlmClient } from "@ml-agents/core"
import { Conformance, ScriptedLlmClient } from "@ml-agents/core/testing"
import { Effect } from "effect"
import * as Package from "../src/index.js"
import { ChainOfThought } from "../src/index.js"
import { modelInfo, question, solveWith, traceOf, withModelList } from "./helpers.js"

const jsonModel = modelInfo("test/json", ["max_tokens", "temperature", "response_format"])
const strictModel = modelInfo("test/strict", ["max_tokens", "structured_outputs"])
const textModel = modelInfo("test/text", ["max_tokens", "temperature", "top_p"])
const models = [jsonModel, strictModel, textModel]

const stepsReply = "Let me think step by step.\n6 x 7 = 42.\nAnswer: 42"
const jsonReply = JSON.stringify({ reasoning: "6 x 7 = 42.", answer: "42" })

describe("output mode", () => {
  it.effect("structured when the model list says the model supports response_format", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => jsonReply, { models })
      const output = yield* solveWith(scripted.client, { model: "test/json" })
      assert.strictEqual(scripted.requests.length, 1)
      const request = scripted.requests[0]!
      assert.deepStrictEqual(request.responseFormat, {
        type: "json_schema",
        name: "chain_of_thought",
        schema: {
          type: "object",
          properties: {
            reasoning: { type: "string", description: "Step-by-step reasoning that leads to the answer." },
            answer: { type: "string", description: "Only the final answer; for multiple choice only the option letter." }
          },
          required: ["reasoning", "answer"],
          additionalProperties: false
        }
      })
      assert.strictEqual(request.messages[0]!.content, ChainOfThought.STRUCTURED_SYSTEM_PROMPT)
      assert.strictEqual(output.answer, "42")
      assert.strictEqual(output.rawOutput, jsonReply)
      assert.deepStrictEqual(traceOf(output), {
        kind: "cot",
        mode: "structured",
        fellBack: false,
        reasoning: "6 x 7 = 42.",
        answer: "42",
        finishReason: "stop",
        generationId: null
      })
    }))

  it.effect("structured when the model list says structured_outputs", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => jsonReply, { models })
      const output = yield* solveWith(scripted.client, { model: "test/strict" })
      assert.strictEqual(scripted.requests[0]!.responseFormat?.type, "json_schema")
      assert.strictEqual(traceOf(output).mode, "structured")
    }))

  it.effect("structured for a variant of a listed model (…:free)", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => jsonReply, { models })
      const output = yield* solveWith(scripted.client, { model: "test/json:free" })
      assert.strictEqual(traceOf(output).mode, "structured")
    }))

  it.effect("text when the model does not support structured output", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => stepsReply, { models })
      const output = yield* solveWith(scripted.client, { model: "test/text" })
      const request = scripted.requests[0]!
      assert.isUndefined(request.responseFormat)
      assert.strictEqual(request.messages[0]!.content, ChainOfThought.TEXT_SYSTEM_PROMPT)
      assert.strictEqual(output.answer, "42")
      assert.deepStrictEqual(traceOf(output), {
        kind: "cot",
        mode: "text",
        reasoning: "Let me think step by step.\n6 x 7 = 42.",
        answer: "42",
        finishReason: "stop",
        generationId: null
      })
    }))

  it.effect("text, with a note, when the model is not in the list", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => stepsReply, { models })
      const output = yield* solveWith(scripted.client, { model: "test/unlisted" })
      assert.isUndefined(scripted.requests[0]!.responseFormat)
      assert.strictEqual(traceOf(output).mode, "text")
      assert.include(traceOf(output).note, "not in the model list")
    }))

  it.effect("structured_output never: text even for a JSON-capable model, without asking for the list", () =>
    Effect.gen(function*() {
      const { client, listCalls } = withModelList(ScriptedLlmClient.make(() => stepsReply), models)
      const scripted = ScriptedLlmClient.make(() => stepsReply)
      const output = yield* solveWith({ ...client, chat: scripted.client.chat }, { model: "test/json", parameters: { structured_output: "never" } })
      assert.isUndefined(scripted.requests[0]!.responseFormat)
      assert.strictEqual(traceOf(output).mode, "text")
      assert.strictEqual(listCalls(), 0)
    }))

  it.effect("structured_output always: JSON even for a model the list says cannot, without asking for the list", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => jsonReply)
      const { client, listCalls } = withModelList(scripted, models)
      const output = yield* solveWith(client, { model: "test/text", parameters: { structured_output: "always" } })
      assert.strictEqual(scripted.requests[0]!.responseFormat?.type, "json_schema")
      assert.strictEqual(traceOf(output).mode, "structured")
      assert.strictEqual(listCalls(), 0)
    }))

  it.effect("auto asks for the model list once per question", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => jsonReply)
      const { client, listCalls } = withModelList(scripted, models)
      yield* solveWith(client, { model: "test/json" })
      assert.strictEqual(listCalls(), 1)
    }))

  it.effect("a model list that cannot be fetched: text mode, noted, the question still answered", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => stepsReply)
      const { client, listCalls } = withModelList(
        scripted,
        new LlmClient.LlmError({ category: "network_timeout", message: "models timed out", recoverable: true })
      )
      const output = yield* solveWith(client, { model: "test/json" })
      assert.strictEqual(listCalls(), 1)
      assert.isUndefined(scripted.requests[0]!.responseFormat)
      assert.strictEqual(output.answer, "42")
      assert.strictEqual(traceOf(output).mode, "text")
      assert.include(traceOf(output).note, "model list could not be fetched (network_timeout: models timed out)")
    }))
})

describe("structured replies", () => {
  const structured = (reply: string | { content: string; finishReason: string }) => {
    const scripted = ScriptedLlmClient.make(() => reply, { models })
    return { scripted, solve: solveWith(scripted.client, { model: "test/json" }) }
  }

  it.effect("invalid JSON falls back to text on the same reply, with no extra call", () =>
    Effect.gen(function*() {
      const { scripted, solve } = structured(stepsReply)
      const output = yield* solve
      assert.strictEqual(scripted.requests.length, 1)
      assert.strictEqual(output.answer, "42")
      const trace = traceOf(output)
      assert.strictEqual(trace.mode, "structured")
      assert.isTrue(trace.fellBack)
      assert.strictEqual(trace.reasoning, "Let me think step by step.\n6 x 7 = 42.")
      assert.include(trace.note, "not the requested JSON")
    }))

  it.effect("JSON without the answer field falls back, and its text is not taken for an answer", () =>
    Effect.gen(function*() {
      const { solve } = structured(JSON.stringify({ reasoning: "6 x 7 = 42." }))
      const output = yield* solve
      assert.isNull(output.answer)
      assert.isTrue(traceOf(output).fellBack)
      assert.include(traceOf(output).note, "answer")
    }))

  it.effect("JSON with an empty answer reads the answer from the end of its reasoning", () =>
    Effect.gen(function*() {
      const { solve } = structured(JSON.stringify({ reasoning: "6 x 7 = 42.\nAnswer: 42", answer: "" }))
      const output = yield* solve
      assert.strictEqual(output.answer, "42")
      assert.isTrue(traceOf(output).fellBack)
      assert.strictEqual(traceOf(output).reasoning, "6 x 7 = 42.")
    }))

  it.effect("JSON in a markdown fence is still JSON", () =>
    Effect.gen(function*() {
      const { solve } = structured("```json\n" + jsonReply + "\n```")
      const output = yield* solve
      assert.strictEqual(output.answer, "42")
      assert.isFalse(traceOf(output).fellBack)
    }))

  it.effect("an answer field that still carries a marker or bold is cleaned", () =>
    Effect.gen(function*() {
      const { solve } = structured(JSON.stringify({ reasoning: "B is the only prime.", answer: "**Answer: B**" }))
      assert.strictEqual((yield* solve).answer, "B")
    }))

  it.effect("a numeric answer field is kept as text", () =>
    Effect.gen(function*() {
      const { solve } = structured(JSON.stringify({ reasoning: "6 x 7.", answer: 42 }))
      const output = yield* solve
      assert.strictEqual(output.answer, "42")
      assert.isFalse(traceOf(output).fellBack)
    }))

  it.effect("JSON cut off by max_tokens is a token limit error", () =>
    Effect.gen(function*() {
      const { solve } = structured({ content: "{\"reasoning\":\"6 x 7 is", finishReason: "length" })
      const error = yield* Effect.flip(solve)
      assert.strictEqual(error.category, "token_limit_exceeded")
      assert.include(error.message, "--max-tokens")
    }))

  it.effect("a refusal in the answer field is a model refusal", () =>
    Effect.gen(function*() {
      const { solve } = structured(JSON.stringify({ reasoning: "", answer: "I can't help with that." }))
      const error = yield* Effect.flip(solve)
      assert.strictEqual(error.category, "model_refusal")
    }))

  it.effect("a plain-text refusal instead of JSON is a model refusal", () =>
    Effect.gen(function*() {
      const { solve } = structured("I'm sorry, but I can't help with that.")
      const error = yield* Effect.flip(solve)
      assert.strictEqual(error.category, "model_refusal")
    }))
})

describe("requests", () => {
  it.effect("every call carries the model, the sampling parameters, the question and the prompt", () =>
    Effect.gen(function*() {
      const scripted = ScriptedLlmClient.make(() => stepsReply)
      yield* solveWith(scripted.client, {
        model: "test/model",
        modelParameters: new AgentConfig.ModelParameters({ temperature: 0.25, maxTokens: 700, topP: 0.9 }),
        parameters: { structured_output: "never" }
      })
      const [request] = scripted.requests
      assert.strictEqual(request!.model, "test/model")
      assert.strictEqual(request!.temperature, 0.25)
      assert.strictEqual(request!.maxTokens, 700)
      assert.strictEqual(request!.topP, 0.9)
      assert.deepStrictEqual(request!.messages.map((m) => m.role), ["system", "user"])
      assert.strictEqual(request!.messages[1]!.content, question.text)
    }))

  it("both prompts ask for step-by-step reasoning; text mode for a final Answer: line and the bare letter", () => {
    for (const prompt of [ChainOfThought.TEXT_SYSTEM_PROMPT, ChainOfThought.STRUCTURED_SYSTEM_PROMPT]) {
      assert.include(prompt, "step by step")
      assert.include(prompt, "option letter")
    }
    assert.include(ChainOfThought.TEXT_SYSTEM_PROMPT, "`Answer: <answer>`")
    assert.include(ChainOfThought.STRUCTURED_SYSTEM_PROMPT, "JSON")
  })
})

describe("configuration", () => {
  it.effect("parameters default to structured_output auto and reject other values", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Agent.parameterDefaults(ChainOfThought.agent), { structured_output: "auto" })
      assert.deepStrictEqual(Agent.parameterNames(ChainOfThought.agent), ["structured_output"])
      const bad = yield* Effect.flip(Agent.decodeParameters(ChainOfThought.agent, { structured_output: "sometimes" }))
      assert.include(bad.message, "structured_output")
    }))

  it("model defaults are COT_AGENT_DEFAULTS: temperature 0.8, max_tokens 1000", () => {
    assert.strictEqual(ChainOfThought.agent.modelDefaults.temperature, 0.8)
    assert.strictEqual(ChainOfThought.agent.modelDefaults.maxTokens, 1000)
  })

  it("validate rejects too few max tokens to reason, and accepts enough", () => {
    const validate = ChainOfThought.agent.validate!
    const check = (maxTokens: number | undefined) =>
      validate({ modelParameters: new AgentConfig.ModelParameters({ maxTokens }), parameters: { structured_output: "auto" } })
    assert.strictEqual(
      check(100),
      "max_tokens 100 leaves too little room to reason step by step; use at least 256 (--max-tokens)"
    )
    assert.isString(check(255))
    assert.isUndefined(check(256))
    assert.isUndefined(check(1000))
    assert.isUndefined(check(undefined))
  })
})

describe("plugin contract", () => {
  it.effect("passes the conformance suite", () =>
    Effect.gen(function*() {
      const results = yield* Conformance.verify(ChainOfThought.agent)
      assert.isAtLeast(results.length, 15)
    }))

  it.effect("passes the conformance suite in structured mode too (replies fall back to text)", () =>
    Effect.gen(function*() {
      yield* Conformance.verify(ChainOfThought.agent, { parameters: { structured_output: "always" } })
    }))

  it("is exported as a namespace, by name and as the default export", () => {
    assert.strictEqual(Package.agent.id, "cot")
    assert.strictEqual(Package.default, Package.agent)
    assert.strictEqual(Package.ChainOfThought.agent, Package.agent)
  })
})
