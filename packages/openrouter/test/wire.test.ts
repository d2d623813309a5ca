/**
 * The wire format: request bodies, and replies from OpenRouter and from plain OpenAI-compatible
 * servers (no cost, no provider) mapped to core types.
 */
import { assert, describe, it } from "@effect/vitest"
import type { LlmClient } from "@ml-agents/core"
import { Either } from "effect"
import * as Wire from "../src/internal/wire.js"

const request: LlmClient.ChatRequest = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "2+2?" }] }

const right = <A, E>(either: Either.Either<A, E>): A => {
  if (Either.isLeft(either)) throw new Error(`expected Right, got ${String(either.left)}`)
  return either.right
}
const left = <A, E>(either: Either.Either<A, E>): E => {
  if (Either.isRight(either)) throw new Error(`expected Left, got ${JSON.stringify(either.right)}`)
  return either.left
}

describe("toRequestBody", () => {
  it("sends parameters under their wire names, with usage accounting and provider routing", () => {
    const body = Wire.toRequestBody(
      {
        ...request,
        temperature: 0.2,
        maxTokens: 300,
        topP: 0.9,
        stop: ["\n\n"],
        responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" } }
      },
      { openRouterFields: true, provider: { data_collection: "deny", require_parameters: true } }
    )
    assert.deepStrictEqual(body, {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "2+2?" }],
      temperature: 0.2,
      max_tokens: 300,
      top_p: 0.9,
      stop: ["\n\n"],
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } },
      usage: { include: true },
      provider: { data_collection: "deny", require_parameters: true }
    })
  })

  it("omits what was not asked for, an empty provider object, and OpenRouter fields when disabled", () => {
    assert.deepStrictEqual(Wire.toRequestBody({ ...request, stop: [] }, { openRouterFields: true, provider: {} }), {
      model: request.model,
      messages: [{ role: "user", content: "2+2?" }],
      usage: { include: true }
    })
    const plain = Wire.toRequestBody({ ...request, responseFormat: { type: "json_object" } }, {
      openRouterFields: false,
      provider: { data_collection: "deny" }
    })
    assert.deepStrictEqual(plain["response_format"], { type: "json_object" })
    assert.isFalse("usage" in plain)
    assert.isFalse("provider" in plain)
  })
})

describe("toChatResponse", () => {
  it("maps an OpenRouter reply: content, usage with reasoning tokens, cost, id, provider, model", () => {
    const response = right(Wire.toChatResponse(
      {
        id: "gen-123",
        provider: "DeepInfra",
        model: "deepseek/deepseek-r1",
        choices: [{ finish_reason: "stop", message: { role: "assistant", content: "Answer: 4" } }],
        usage: {
          prompt_tokens: 12,
          completion_tokens: 40,
          total_tokens: 52,
          cost: 0.000123,
          completion_tokens_details: { reasoning_tokens: 30 }
        }
      },
      request
    ))
    assert.strictEqual(response.content, "Answer: 4")
    assert.strictEqual(response.finishReason, "stop")
    assert.deepStrictEqual(
      { ...response.usage },
      { promptTokens: 12, completionTokens: 40, reasoningTokens: 30, totalTokens: 52 }
    )
    assert.strictEqual(response.costUsd, 0.000123)
    assert.strictEqual(response.generationId, "gen-123")
    assert.strictEqual(response.provider, "DeepInfra")
    assert.strictEqual(response.model, "deepseek/deepseek-r1")
  })

  it("tolerates a plain OpenAI-compatible server: no cost, no provider, no usage details", () => {
    const response = right(Wire.toChatResponse(
      {
        id: "chatcmpl-1",
        model: "llama3",
        choices: [{ finish_reason: "stop", message: { role: "assistant", content: "4" } }],
        usage: { prompt_tokens: 5, completion_tokens: 1 }
      },
      request
    ))
    assert.strictEqual(response.costUsd, null)
    assert.strictEqual(response.provider, null)
    assert.strictEqual(response.usage.reasoningTokens, 0)
    assert.strictEqual(response.usage.totalTokens, 6)
  })

  it("missing usage, id, model and finish reason default sensibly", () => {
    const response = right(Wire.toChatResponse({ choices: [{ message: { content: null } }] }, request))
    assert.strictEqual(response.content, "")
    assert.strictEqual(response.finishReason, null)
    assert.deepStrictEqual({ ...response.usage }, { promptTokens: 0, completionTokens: 0, reasoningTokens: 0, totalTokens: 0 })
    assert.strictEqual(response.generationId, null)
    assert.strictEqual(response.model, request.model)
    assert.strictEqual(response.costUsd, null)
  })

  it("a non-numeric cost is null, content parts are joined", () => {
    const response = right(Wire.toChatResponse(
      { choices: [{ message: { content: [{ type: "text", text: "A" }, { type: "text", text: "B" }] } }], usage: { cost: "0.1" } },
      request
    ))
    assert.strictEqual(response.costUsd, null)
    assert.strictEqual(response.content, "AB")
  })

  it("content_filter is a content guardrail", () => {
    const error = left(Wire.toChatResponse({ choices: [{ finish_reason: "content_filter", message: { content: "" } }] }, request))
    assert.strictEqual(error.category, "content_guardrail")
    assert.strictEqual(error.recoverable, false)
  })

  it("a refusal field is a model refusal", () => {
    const error = left(Wire.toChatResponse({ choices: [{ finish_reason: "stop", message: { content: null, refusal: "I can't" } }] }, request))
    assert.strictEqual(error.category, "model_refusal")
  })

  it("no choices, no message, or a non-object body is a malformed reply", () => {
    for (const raw of [{ choices: [] }, { id: "x" }, { choices: [{ finish_reason: "stop" }] }, "<html>oops</html>", undefined, [1]]) {
      const error = left(Wire.toChatResponse(raw, request, { baseURL: "http://x/v1" }))
      assert.strictEqual(error.category, "parsing_error")
      assert.include(error.message, "Malformed reply")
    }
  })

  it("an error object in a 200 body is the error it describes", () => {
    const error = left(Wire.toChatResponse(
      { id: "gen-1", choices: [{ finish_reason: "error", message: { content: "" } }], error: { code: 502, message: "Provider returned error" } },
      request
    ))
    assert.strictEqual(error.status, 502)
    assert.strictEqual(error.recoverable, true)
    assert.include(error.message, "Provider returned error")
    const finishedWithError = left(Wire.toChatResponse({ choices: [{ finish_reason: "error", message: { content: "" } }] }, request))
    assert.strictEqual(finishedWithError.recoverable, true)
  })
})

describe("toModelInfos", () => {
  it("parses OpenRouter's price strings per token and falls back sensibly", () => {
    const models = right(Wire.toModelInfos({
      data: [
        {
          id: "openai/gpt-4o-mini",
          name: "OpenAI: GPT-4o-mini",
          context_length: 128000,
          pricing: { prompt: "0.00000015", completion: "0.0000006" },
          supported_parameters: ["temperature", "max_tokens", 7]
        },
        { id: "openrouter/auto", pricing: { prompt: "-1", completion: "-1" } },
        { id: "vllm-model", object: "model", max_model_len: 4096 },
        { id: "bad-price", pricing: { prompt: "free", completion: "0" } },
        { name: "no id" }
      ]
    }))
    assert.deepStrictEqual(models.map((m) => m.id), ["openai/gpt-4o-mini", "openrouter/auto", "vllm-model", "bad-price"])
    assert.deepStrictEqual(models[0], {
      id: "openai/gpt-4o-mini",
      name: "OpenAI: GPT-4o-mini",
      contextLength: 128000,
      supportedParameters: ["temperature", "max_tokens"],
      pricing: { promptPerToken: 0.00000015, completionPerToken: 0.0000006 }
    })
    assert.strictEqual(models[1]!.pricing, null)
    assert.strictEqual(models[1]!.name, "openrouter/auto")
    assert.strictEqual(models[2]!.contextLength, 4096)
    assert.deepStrictEqual(models[2]!.supportedParameters, [])
    assert.strictEqual(models[3]!.pricing, null)
  })

  it("a body without a data array is a parsing error", () => {
    assert.strictEqual(left(Wire.toModelInfos({ models: [] })).category, "parsing_error")
    assert.strictEqual(left(Wire.toModelInfos("not json")).category, "parsing_error")
  })
})

describe("toKeyInfo", () => {
  it("maps OpenRouter's key data", () => {
    assert.deepStrictEqual(
      right(Wire.toKeyInfo({ data: { label: "sk-or-v1-abc...xyz", usage: 1.5, limit: 10, limit_remaining: 8.5, is_free_tier: false } })),
      { label: "sk-or-v1-abc...xyz", usageUsd: 1.5, limitUsd: 10, limitRemainingUsd: 8.5, isFreeTier: false }
    )
  })
  it("unlimited keys and missing fields are null", () => {
    assert.deepStrictEqual(right(Wire.toKeyInfo({ data: { label: "x", usage: 0, limit: null } })), {
      label: "x",
      usageUsd: 0,
      limitUsd: null,
      limitRemainingUsd: null,
      isFreeTier: null
    })
  })
  it("a non-object is a parsing error", () => {
    assert.strictEqual(left(Wire.toKeyInfo(null)).category, "parsing_error")
  })
})
