/**
 * What the simulated model says: a plausible wrong answer of the same kind as the right one (so a
 * grader cannot tell them apart by format), and the three reply styles agents ask for.
 */

const LABEL_SETS: ReadonlyArray<ReadonlyArray<string>> = [
  ["true", "false", "uncertain"],
  ["yes", "no"]
]

const sameCase = (model: string, word: string): string => {
  if (model === model.toUpperCase() && model !== model.toLowerCase()) return word.toUpperCase()
  if (model[0] !== undefined && model[0] === model[0].toUpperCase() && model[0] !== model[0].toLowerCase()) {
    return word[0]!.toUpperCase() + word.slice(1)
  }
  return word
}

/**
 * A program (a code benchmark's reference solution): several lines, starting with a definition
 * or an import, and not already fenced (an answer key that holds whole replies is sent as it is).
 */
export const isCode = (answer: string): boolean =>
  answer.includes("\n") && !answer.includes("```") && /^\s*(?:def |class |import |from \S+ import |async def )/m.test(answer)

/**
 * A wrong program for a code answer: the same definition line (so it compiles and the tests find
 * the function) with a body that returns nothing useful.
 */
const wrongProgram = (answer: string): string => {
  const header = answer.split("\n").find((line) => /^(?:async )?def \w+\s*\(/.test(line))
  return header === undefined ? "pass" : `${header.trimEnd()}\n    return None`
}

/** A wrong answer of the same kind as `answer` (letter, number, label, text or program), chosen by `h`. */
export const wrongAnswer = (answer: string, h: number): string => {
  if (isCode(answer)) return wrongProgram(answer)
  const a = answer.trim()

  const letter = /^(\(?)([A-Ja-j])(\)?)$/.exec(a)
  if (letter !== null) {
    const ch = letter[2]!
    const upper = ch.toUpperCase()
    const idx = upper.charCodeAt(0) - 65
    const pool = Math.max(4, idx + 1)
    const other = (idx + 1 + (h % (pool - 1))) % pool
    const out = String.fromCharCode(65 + other)
    return `${letter[1]}${ch === upper ? out : out.toLowerCase()}${letter[3]}`
  }

  const number = /^(-?)(\d{1,15})(?:\.(\d{1,10}))?$/.exec(a)
  if (number !== null) {
    const decimals = number[3]?.length ?? 0
    const delta = 1 + (h % 9)
    return (Number(a) + delta).toFixed(decimals)
  }

  const lower = a.toLowerCase()
  for (const set of LABEL_SETS) {
    const at = set.indexOf(lower)
    if (at >= 0) {
      const others = set.filter((_, i) => i !== at)
      return sameCase(a, others[h % others.length]!)
    }
  }

  return lower === "unknown" ? "none" : "unknown"
}

/** How the request asked the model to answer. */
export type Style = "json" | "steps" | "plain"

const STEPS = [
  "Let me work through this step by step.",
  "1. First, I restate what the question is asking.",
  "2. Next, I recall the facts and rules that bear on it.",
  "3. Then I rule out the possibilities that contradict them.",
  "4. What remains is the answer."
].join("\n")

/** The reply text for an answer in a style; a program comes in a fenced block, as models write code. */
export const render = (style: Style, answer: string): string => {
  if (isCode(answer) && style !== "json") {
    const block = "```python\n" + answer.trim() + "\n```"
    return style === "steps" ? `${STEPS}\n${block}` : block
  }
  switch (style) {
    case "json":
      return JSON.stringify({
        reasoning: "I worked through the question step by step and checked the result against what it asks.",
        answer
      })
    case "steps":
      return `${STEPS}\nAnswer: ${answer}`
    case "plain":
      return `Answer: ${answer}`
  }
}
