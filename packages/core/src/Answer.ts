/**
 * Pulling a final answer out of a model's free text, for agents: the same marker grammar the
 * graders use (`internal/grading/markers`): the last "Answer:" / "Final answer:" / "the answer
 * is" / `\boxed{}` / "####" marker wins, and decoration (markdown bold, quotes, LaTeX
 * `\boxed{}`, a trailing full stop) is removed. Also the one refusal test core applies to every
 * agent's final reply.
 */
import { isRefusal as refuses, type Marker, markers, prepare } from "./internal/grading/markers.js"

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

/** The last answer marker of a reply whose text is not empty: where it starts and what it says (cleaned). */
export const locate = (reply: string): { readonly index: number; readonly answer: string; readonly boxed: boolean } | null => {
  const text = prepare(reply)
  const found: Marker | undefined = markers(text).find((m) => clean(m.text) !== "")
  return found === undefined ? null : { index: found.index, answer: clean(found.text), boxed: found.boxed }
}

/**
 * The final answer in a reply: the text of its last answer marker, else the whole reply when it
 * is a single short line that is not a refusal. Null when no answer can be found.
 */
export const extract = (reply: string): string | null => {
  const found = locate(reply)
  if (found !== null) return found.answer
  const text = prepare(reply)
  if (text === "" || text.includes("\n") || text.length > 200 || refuses(text)) return null
  const rest = clean(text)
  return rest === "" ? null : rest
}

/** Whether a reply refuses or gives up ("I'm sorry, but I can't…", "I don't know"): short replies whole, long ones by their last line. */
export const isRefusal = (reply: string): boolean => refuses(prepare(reply))
