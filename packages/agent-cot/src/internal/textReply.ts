/**
 * Separating a free-text chain-of-thought reply into its reasoning and its final answer. The
 * answer is found with core's marker grammar (`Answer.locate`, the one the graders use: the last
 * "Answer:" / "Final answer:" / "the answer is" / `\boxed{}` marker wins); the reasoning is the
 * text before that marker.
 */
import { Answer } from "@ml-agents/core"

/** How the answer was found: a marker, `\boxed{}`, the whole (short) reply, or not at all. */
export type Via = "marker" | "inline" | "boxed" | "whole" | "none"

/** A reply split into reasoning and answer. */
export interface Parsed {
  readonly reasoning: string
  readonly answer: string | null
  readonly via: Via
}

/**
 * Core's `clean` leaves a bold marker that opened before the "Answer:" marker ("**Final answer:
 * B**" gives "B**"); drop such unpaired markers, then clean again.
 */
export const tidy = (answer: string | null): string | null => {
  if (answer === null) return null
  let s = answer.trim()
  for (const mark of ["**", "__"]) {
    if (s.split(mark).length - 1 === 1) s = s.startsWith(mark) ? s.slice(mark.length) : s.endsWith(mark) ? s.slice(0, -mark.length) : s
  }
  s = Answer.clean(s)
  return s === "" ? null : s
}

/** The reasoning before a marker: a marker line's own decoration ("**Final answer: $") is not reasoning. */
const before = (text: string, index: number): string => {
  const head = text.slice(0, index)
  const lineStart = head.lastIndexOf("\n") + 1
  const onLine = head.slice(lineStart)
  const cut = /^(?:[\s*_#>$:：]|final\s+answer|answer|the\s+(?:final\s+|correct\s+)?answer\s+is)*$/i.test(onLine) ? lineStart : index
  return head.slice(0, cut).trim()
}

/** Splits a reply into reasoning and final answer. */
export const parse = (reply: string): Parsed => {
  const text = reply.trim().replace(/\r\n?/g, "\n")
  if (text === "") return { reasoning: "", answer: null, via: "none" }
  const found = Answer.locate(text)
  if (found !== null) {
    const answer = tidy(found.answer)
    if (answer !== null) {
      return { reasoning: before(text.normalize("NFKC"), found.index), answer, via: found.boxed ? "boxed" : "marker" }
    }
  }
  const whole = tidy(Answer.extract(text))
  return whole === null ? { reasoning: text, answer: null, via: "none" } : { reasoning: "", answer: whole, via: "whole" }
}

/** Whether a reply with no answer marker reads as a refusal ("I can't help with that"): core's one test. */
export const looksLikeRefusal = (text: string): boolean => {
  const t = text.trim()
  // Refusals are short; a long derivation that happens to say "unable to answer" somewhere is not one.
  return t !== "" && t.length <= 600 && Answer.isRefusal(t)
}
