/**
 * The one place where the search's model calls are counted: a wrapper around `LlmClient.chat`
 * that books every call by kind before it is sent, sums tokens, and keeps the last call of the
 * budget for the final answer. The search plans its steps with `searchCallsLeft`, so the guard
 * here never fires unless the planner has a bug — and then it is a defect, not a quiet overrun.
 */
import type { LlmClient } from "@ml-agents/core"
import { Effect } from "effect"

/** What a call of the search is for. */
export type CallKind = "generation" | "evaluation" | "final"

/** Calls and tokens booked so far. */
export interface Usage {
  readonly calls: { readonly generation: number; readonly evaluation: number; readonly final: number; readonly total: number }
  readonly tokens: { readonly prompt: number; readonly completion: number; readonly total: number }
}

/** A metered, budgeted view of one question's `LlmClient`. */
export interface Budget {
  /** Sends one request as a call of `kind`; dies if the budget has no room for it (a planner bug). */
  readonly chat: (kind: CallKind, request: LlmClient.ChatRequest) => Effect.Effect<LlmClient.ChatResponse, LlmClient.LlmError>
  /** Calls the search may still make, with the final answer's call already set aside. */
  readonly searchCallsLeft: () => number
  /** What has been booked so far. */
  readonly usage: () => Usage
}

/** A budget of `max` calls over `llm` for one question (one budget per question: no sharing). */
export const make = (llm: LlmClient.LlmClient.Service, max: number): Budget => {
  const calls = { generation: 0, evaluation: 0, final: 0 }
  const tokens = { prompt: 0, completion: 0, total: 0 }
  let used = 0
  return {
    chat: (kind, request) =>
      Effect.suspend(() => {
        // Booked when sent, not when answered, so that calls in flight at once cannot overrun.
        const limit = kind === "final" ? max : max - 1
        if (used >= limit || (kind === "final" && calls.final > 0)) {
          return Effect.dieMessage(`tree-of-thoughts budget broken: a ${kind} call after ${used} of ${max} calls`)
        }
        used++
        calls[kind]++
        return llm.chat(request).pipe(
          Effect.tap((reply) =>
            Effect.sync(() => {
              tokens.prompt += reply.usage.promptTokens
              tokens.completion += reply.usage.completionTokens
              tokens.total += reply.usage.totalTokens
            })
          )
        )
      }),
    searchCallsLeft: () => Math.max(0, max - 1 - used),
    usage: () => ({ calls: { ...calls, total: used }, tokens: { ...tokens } })
  }
}
