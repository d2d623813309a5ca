/**
 * The default model catalogue and its rendering in OpenRouter's `/models` shape (prices there are
 * USD-per-token decimal strings, never exponent notation).
 */
import type { SimModel } from "../Simulator.js"

const perMillion = (usd: number): number => usd / 1_000_000

const COMMON = ["max_tokens", "temperature", "top_p", "stop", "seed"]

/** A realistic handful of models, plus a perfect one for tests that need every answer right. */
export const defaultModels: ReadonlyArray<SimModel> = [
  {
    id: "openai/gpt-4o-mini",
    name: "OpenAI: GPT-4o-mini",
    contextLength: 128_000,
    promptPrice: perMillion(0.15),
    completionPrice: perMillion(0.6),
    supportedParameters: [...COMMON, "frequency_penalty", "presence_penalty", "response_format", "structured_outputs", "tools", "tool_choice"]
  },
  {
    id: "anthropic/claude-3.5-haiku",
    name: "Anthropic: Claude 3.5 Haiku",
    contextLength: 200_000,
    promptPrice: perMillion(0.8),
    completionPrice: perMillion(4),
    supportedParameters: ["max_tokens", "temperature", "top_p", "top_k", "stop", "tools", "tool_choice"]
  },
  {
    id: "meta-llama/llama-3.1-8b-instruct",
    name: "Meta: Llama 3.1 8B Instruct",
    contextLength: 131_072,
    promptPrice: perMillion(0.02),
    completionPrice: perMillion(0.05),
    supportedParameters: [...COMMON, "top_k", "frequency_penalty", "presence_penalty", "repetition_penalty"]
  },
  {
    id: "deepseek/deepseek-r1",
    name: "DeepSeek: R1",
    contextLength: 163_840,
    promptPrice: perMillion(0.4),
    completionPrice: perMillion(2),
    supportedParameters: [...COMMON, "reasoning", "include_reasoning"],
    reasoningTokens: 120
  },
  {
    id: "sim/perfect",
    name: "Simulator: Perfect",
    contextLength: 1_000_000,
    promptPrice: 0,
    completionPrice: 0,
    supportedParameters: [...COMMON, "response_format", "structured_outputs"],
    accuracy: 1
  }
]

/** A USD-per-token price as OpenRouter writes it: a plain decimal string such as "0.00000015". */
export const priceString = (usd: number): string => {
  if (!Number.isFinite(usd) || usd <= 0) return "0"
  const fixed = usd.toFixed(15).replace(/0+$/, "").replace(/\.$/, "")
  return fixed === "" || fixed === "0" ? "0" : fixed
}

const tokenizer = (id: string): string => {
  if (id.startsWith("openai/")) return "GPT"
  if (id.startsWith("anthropic/")) return "Claude"
  if (id.startsWith("meta-llama/")) return "Llama3"
  if (id.startsWith("deepseek/")) return "DeepSeek"
  return "Other"
}

// A fixed timestamp keeps /models byte-identical across runs.
const CREATED = 1_721_260_800

/** One model in OpenRouter's `/models` `data[]` shape. */
export const modelJson = (m: SimModel): Record<string, unknown> => {
  const contextLength = m.contextLength ?? 128_000
  return {
    id: m.id,
    canonical_slug: m.id,
    name: m.name ?? m.id,
    created: CREATED,
    description: `${m.name ?? m.id}, served by the local OpenRouter simulator.`,
    context_length: contextLength,
    architecture: {
      modality: "text->text",
      input_modalities: ["text"],
      output_modalities: ["text"],
      tokenizer: tokenizer(m.id),
      instruct_type: null
    },
    pricing: {
      prompt: priceString(m.promptPrice ?? 0),
      completion: priceString(m.completionPrice ?? 0),
      request: "0",
      image: "0",
      web_search: "0",
      internal_reasoning: "0"
    },
    top_provider: {
      context_length: contextLength,
      max_completion_tokens: Math.min(16_384, contextLength),
      is_moderated: m.id.startsWith("openai/") || m.id.startsWith("anthropic/")
    },
    per_request_limits: null,
    supported_parameters: m.supportedParameters ?? ["max_tokens", "temperature", "top_p", "stop"],
    default_parameters: null
  }
}
