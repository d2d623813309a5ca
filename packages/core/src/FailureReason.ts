/**
 * Why a question, a model call or a whole evaluation failed: a category a researcher can count
 * and filter on, a human description, technical details for debugging, and whether trying again
 * may help.
 */
import { Schema } from "effect"

/** The closed set of failure categories (SPEC.md), plus `bad_request` for HTTP 400s. */
export const FailureCategory = Schema.Literal(
  "parsing_error",
  "token_limit_exceeded",
  "content_guardrail",
  "model_refusal",
  "network_timeout",
  "rate_limit_exceeded",
  "credit_limit_exceeded",
  "authentication_error",
  "bad_request",
  "unknown"
)
/** A failure category. */
export type FailureCategory = typeof FailureCategory.Type

/** A categorised failure, stored with question results and failed evaluations. */
export class FailureReason extends Schema.Class<FailureReason>("FailureReason")({
  category: FailureCategory,
  description: Schema.String,
  technicalDetails: Schema.String,
  recoverable: Schema.Boolean
}) {}

/** Categories that concern the whole account rather than one question: a run must stop on them. */
export const isAccountLevel = (category: FailureCategory): boolean =>
  category === "authentication_error" || category === "credit_limit_exceeded"

/** Whether retrying the same call later may succeed. */
export const isRecoverableCategory = (category: FailureCategory): boolean =>
  category === "rate_limit_exceeded" || category === "network_timeout" || category === "unknown"

/** Builds a FailureReason, deriving `recoverable` from the category unless given. */
export const make = (options: {
  readonly category: FailureCategory
  readonly description: string
  readonly technicalDetails?: string | undefined
  readonly recoverable?: boolean | undefined
}): FailureReason =>
  new FailureReason({
    category: options.category,
    description: options.description,
    technicalDetails: options.technicalDetails ?? "",
    recoverable: options.recoverable ?? isRecoverableCategory(options.category)
  })
