/**
 * Checks for configuration that arrives untyped (the bin's flags, `POST /__sim/config`): a bad
 * fault rule or patch is rejected with a message that names the field instead of misbehaving later.
 */
import type { FaultKind, FaultRule, SimQuestion, SimulatorOptions } from "../Simulator.js"

/** Thrown for invalid simulator configuration. */
export class ConfigError extends Error {
  override readonly name = "ConfigError"
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const ENDPOINTS = ["chat", "models", "key", "generation"] as const
const KINDS = ["status", "timeout", "malformed", "empty", "content_filter", "refusal"] as const

/** A finite number in [min, max], or a ConfigError naming `what`. */
export const number = (u: unknown, what: string, min = 0, max = Number.POSITIVE_INFINITY): number => {
  if (typeof u !== "number" || !Number.isFinite(u) || u < min || u > max) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `between ${min} and ${max}`
    throw new ConfigError(`${what} must be a number ${range} (got ${JSON.stringify(u)})`)
  }
  return u
}

/** Validates an untyped fault kind. */
export const faultKind = (u: unknown, what = "fault"): FaultKind => {
  if (!isObject(u) || typeof u.type !== "string" || !(KINDS as ReadonlyArray<string>).includes(u.type)) {
    throw new ConfigError(`${what}.type must be one of ${KINDS.join(", ")}`)
  }
  if (u.type === "status") {
    const status = number(u.status, `${what}.status`, 100, 599)
    if (!Number.isInteger(status)) throw new ConfigError(`${what}.status must be an integer HTTP status`)
    const out: FaultKind = { type: "status", status }
    if (u.retryAfterSeconds !== undefined) out.retryAfterSeconds = number(u.retryAfterSeconds, `${what}.retryAfterSeconds`)
    if (u.message !== undefined) {
      if (typeof u.message !== "string") throw new ConfigError(`${what}.message must be a string`)
      out.message = u.message
    }
    return out
  }
  return { type: u.type as Exclude<FaultKind["type"], "status"> } as FaultKind
}

/** Validates an untyped fault rule. */
export const faultRule = (u: unknown, what = "fault rule"): FaultRule => {
  if (!isObject(u)) throw new ConfigError(`${what} must be an object like {"fault":{"type":"status","status":429}}`)
  const known = new Set(["fault", "endpoint", "match", "model", "times", "rate"])
  const extra = Object.keys(u).filter((k) => !known.has(k))
  if (extra.length > 0) throw new ConfigError(`${what} has unknown field(s): ${extra.join(", ")}`)
  const rule: FaultRule = { fault: faultKind(u.fault, `${what}.fault`) }
  if (u.endpoint !== undefined) {
    if (typeof u.endpoint !== "string" || !(ENDPOINTS as ReadonlyArray<string>).includes(u.endpoint)) {
      throw new ConfigError(`${what}.endpoint must be one of ${ENDPOINTS.join(", ")}`)
    }
    rule.endpoint = u.endpoint as FaultRule["endpoint"]
  }
  if (u.match !== undefined) {
    if (typeof u.match !== "string") throw new ConfigError(`${what}.match must be a string`)
    rule.match = u.match
  }
  if (u.model !== undefined) {
    if (typeof u.model !== "string" || u.model === "") throw new ConfigError(`${what}.model must be a non-empty string`)
    rule.model = u.model
  }
  if (u.times !== undefined) {
    const times = number(u.times, `${what}.times`)
    if (!Number.isInteger(times)) throw new ConfigError(`${what}.times must be an integer`)
    rule.times = times
  }
  if (u.rate !== undefined) rule.rate = number(u.rate, `${what}.rate`, 0, 1)
  return rule
}

/** Validates a list of question/answer pairs. */
export const questions = (u: unknown, what = "questions"): Array<SimQuestion> => {
  if (!Array.isArray(u)) throw new ConfigError(`${what} must be an array of {question, answer}`)
  return u.map((q, i) => {
    if (!isObject(q) || typeof q.question !== "string" || (typeof q.answer !== "string" && typeof q.answer !== "number")) {
      throw new ConfigError(`${what}[${i}] must be {question: string, answer: string}`)
    }
    if (q.replies === undefined) return { question: q.question, answer: String(q.answer) }
    if (!Array.isArray(q.replies) || q.replies.length === 0 || q.replies.some((r) => typeof r !== "string")) {
      throw new ConfigError(`${what}[${i}].replies must be a non-empty array of strings`)
    }
    return { question: q.question, answer: String(q.answer), replies: [...q.replies] as Array<string> }
  })
}

/** The options `configure` accepts. */
export type ConfigPatch = Partial<
  Pick<SimulatorOptions, "latencyMs" | "jitterMs" | "accuracy" | "faults" | "creditLimitUsd" | "questions">
>

/** Validates an untyped `configure` patch (JSON `null` clears `creditLimitUsd`). */
export const patch = (u: unknown): ConfigPatch => {
  if (!isObject(u)) throw new ConfigError("the config patch must be a JSON object")
  const known = new Set(["latencyMs", "jitterMs", "accuracy", "faults", "creditLimitUsd", "questions"])
  const extra = Object.keys(u).filter((k) => !known.has(k))
  if (extra.length > 0) throw new ConfigError(`unknown config field(s): ${extra.join(", ")}; allowed: ${[...known].join(", ")}`)
  const out: ConfigPatch = {}
  if (u.latencyMs !== undefined) out.latencyMs = number(u.latencyMs, "latencyMs")
  if (u.jitterMs !== undefined) out.jitterMs = number(u.jitterMs, "jitterMs")
  if (u.accuracy !== undefined) out.accuracy = number(u.accuracy, "accuracy", 0, 1)
  if (u.faults !== undefined) {
    if (!Array.isArray(u.faults)) throw new ConfigError("faults must be an array of fault rules")
    out.faults = u.faults.map((f, i) => faultRule(f, `faults[${i}]`))
  }
  if ("creditLimitUsd" in u) {
    out.creditLimitUsd = u.creditLimitUsd === null || u.creditLimitUsd === undefined ? undefined : number(u.creditLimitUsd, "creditLimitUsd")
  }
  if (u.questions !== undefined) out.questions = questions(u.questions)
  return out
}
