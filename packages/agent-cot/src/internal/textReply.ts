/**
 * Separating a free-text chain-of-thought reply into its reasoning and its final answer. The
 * answer follows core's `Answer.extract` (the last line-leading "Answer:"-style marker wins); the
 * reasoning is the text before that marker.
 */
import { Answer } from "@ml-agents/core"

// Core's marker rule, repeated because `Answer` exports only `extract` and `clean`, and splitting
// off the reasoning needs to know where the marker is. Keep it in step with core's Answer.ts.
const markerLine =
  /^\s*(?:\*\*|__)?\s*(?:final answer|answer|the (?:final |correct )?answer is)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?/i

const inlineMarker = /the (?:final |correct )?answer is[:\s]+([^\n]+)/gi

/** How the answer was found: a marker line, "the answer is" in a sentence, `\boxed{}`, the whole (short) reply, or not at all. */
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

/** The last `\boxed{…}` with balanced braces: its content and where it starts. */
const lastBoxed = (text: string): { readonly start: number; readonly content: string } | null => {
  let from = text.length
  while (from > 0) {
    const start = text.lastIndexOf("\\boxed{", from - 1)
    if (start < 0) return null
    let depth = 0
    for (let i = start + "\\boxed".length; i < text.length; i++) {
      if (text[i] === "{") depth++
      else if (text[i] === "}" && --depth === 0) return { start, content: text.slice(start + "\\boxed{".length, i) }
    }
    from = start // unbalanced (e.g. cut off by max_tokens): try an earlier one
  }
  return null
}

/** Splits a reply into reasoning and final answer. */
export const parse = (reply: string): Parsed => {
  const text = reply.trim()
  if (text === "") return { reasoning: "", answer: null, via: "none" }
  const lines = text.split(/\r?\n/)
  for (let i = lines.length - 1; i >= 0; i--) {
    if (markerLine.test(lines[i]!)) {
      return { reasoning: lines.slice(0, i).join("\n").trim(), answer: tidy(Answer.extract(text)), via: "marker" }
    }
  }
  // No marker line: the later of "the answer is …" and `\boxed{…}` is the final answer.
  const inline = [...text.matchAll(inlineMarker)].filter((m) => Answer.clean(m[1]!) !== "").at(-1)
  const boxed = lastBoxed(text)
  if (inline !== undefined && (boxed === null || inline.index > boxed.start)) {
    return { reasoning: text.slice(0, inline.index).trim(), answer: tidy(Answer.extract(text)), via: "inline" }
  }
  if (boxed !== null) {
    const answer = tidy(boxed.content)
    if (answer !== null) return { reasoning: text.slice(0, boxed.start).trim(), answer, via: "boxed" }
  }
  const whole = tidy(Answer.extract(text))
  return whole === null ? { reasoning: text, answer: null, via: "none" } : { reasoning: "", answer: whole, via: "whole" }
}

const refusal = new RegExp(
  [
    String.raw`\b(?:can(?:no|['’])?t|can not|won['’]?t|will not|unable to|not able to|not going to)\s+` +
    String.raw`(?:help(?!\s+but\b)|assist|answer|comply|provide|do that|fulfil+|engage|respond|support)`,
    String.raw`\bI\s+(?:must|have to|need to)\s+decline\b`,
    String.raw`\bI['’]m sorry,? but I\b`
  ].join("|"),
  "i"
)

/** Whether a reply with no answer marker reads as a refusal ("I can't help with that"). */
export const looksLikeRefusal = (text: string): boolean => {
  const t = text.trim()
  // Refusals are short; a long derivation that happens to say "unable to answer" somewhere is not one.
  return t !== "" && t.length <= 600 && refusal.test(t)
}
