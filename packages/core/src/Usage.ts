/**
 * Token usage and cost of model calls, summed per question and per evaluation.
 */
import { Schema } from "effect"

/** Tokens of one or more model calls. `reasoningTokens` is part of `completionTokens`. */
export class TokenUsage extends Schema.Class<TokenUsage>("TokenUsage")({
  promptTokens: Schema.Int,
  completionTokens: Schema.Int,
  reasoningTokens: Schema.Int,
  totalTokens: Schema.Int
}) {}

/** No tokens. */
export const empty: TokenUsage = new TokenUsage({ promptTokens: 0, completionTokens: 0, reasoningTokens: 0, totalTokens: 0 })

/** The sum of two usages (sums of valid counts are valid: not validated again). */
export const add = (a: TokenUsage, b: TokenUsage): TokenUsage =>
  new TokenUsage({
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    totalTokens: a.totalTokens + b.totalTokens
  }, true)
