/**
 * Pulling a final answer out of a model's free text: the last "Answer:"-style marker wins, and
 * decoration (markdown bold, quotes, LaTeX `\boxed{}`, a trailing full stop) is removed.
 */

const markerLine =
  /^\s*(?:\*\*|__)?\s*(?:final answer|answer|the (?:final |correct )?answer is)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?/i

/** Removes decoration around an answer: bold, quotes, `$…$`, `\boxed{…}`, a trailing full stop. */
export const clean = (raw: string): string => {
  let s = raw.trim()
  for (let i = 0; i < 4; i++) {
    const before = s
    s = s.replace(/^\*\*(.*)\*\*$/s, "$1").replace(/^__(.*)__$/s, "$1").trim()
    // A bold that opened before the answer marker ("**Final answer: B**") leaves an unpaired end.
    s = s.replace(/^(?:\*\*|__)(?!.*(?:\*\*|__))/s, "").replace(/(?<!(?:\*\*|__).*)(?:\*\*|__)$/s, "").trim()
    s = s.replace(/^\\boxed\{(.*)\}$/s, "$1").trim()
    s = s.replace(/^\$+(.*?)\$+$/s, "$1").trim()
    s = s.replace(/^["'“”‘’`](.*)["'“”‘’`]$/s, "$1").trim()
    s = s.replace(/[.。]$/, "").trim()
    if (s === before) break
  }
  return s
}

/** The content of the last `\boxed{…}` in a text (nested braces allowed), or null. */
export const lastBoxed = (text: string): string | null => {
  const start = text.lastIndexOf("\\boxed{")
  if (start === -1) return null
  let depth = 0
  for (let i = start + "\\boxed".length; i < text.length; i++) {
    const c = text[i]
    if (c === "{") depth++
    else if (c === "}" && --depth === 0) return text.slice(start + "\\boxed{".length, i)
  }
  return null
}

/**
 * The final answer in a reply: the text after the last line-leading "Answer:"-style marker, else
 * the last `\boxed{…}`, else "The answer is …" anywhere, else the whole reply when it is a single
 * short line. Null when no
 * answer can be found.
 */
export const extract = (reply: string): string | null => {
  const text = reply.trim()
  if (text === "") return null
  const lines = text.split(/\r?\n/)
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!
    const match = markerLine.exec(line)
    if (match !== null) {
      const rest = clean(line.slice(match[0].length))
      if (rest !== "") return rest
      // "Answer:" alone on its line: the answer is on the next non-empty line.
      const next = lines.slice(i + 1).find((l) => l.trim() !== "")
      return next === undefined ? null : clean(next)
    }
  }
  const boxed = lastBoxed(text)
  if (boxed !== null && clean(boxed) !== "") return clean(boxed)
  const inline = [...text.matchAll(/the (?:final |correct )?answer is[:\s]+([^\n]+)/gi)].at(-1)
  if (inline !== undefined) {
    const rest = clean(inline[1]!)
    if (rest !== "") return rest
  }
  if (lines.length === 1 && text.length <= 200) {
    const rest = clean(text)
    return rest === "" ? null : rest
  }
  return null
}
