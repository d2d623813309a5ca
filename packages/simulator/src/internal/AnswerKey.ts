/**
 * The answer key and the question lookup. Benchmarks have tens of thousands of questions and the
 * simulator shares a small machine with the client it serves, so finding the question in a prompt
 * costs O(lines of the prompt), never O(size of the key): every question is indexed under each
 * of its trimmed lines, a prompt's lines are looked up in that index, and only the few questions
 * found that way are checked for full containment.
 */
import { hashString } from "./Hash.js"

/** One question of the key, with its position and a precomputed hash of its text. */
export interface Entry {
  readonly index: number
  readonly question: string
  readonly answer: string
  readonly hash: number
  /** Scripted answers, one per ask in turn, when the key gives them. */
  readonly replies: ReadonlyArray<string> | undefined
}

// A line shared by more questions than this (a common preamble) is only used as a last resort.
const SELECTIVE = 64

const normalize = (s: string): string => (s.includes("\r") ? s.replace(/\r\n?/g, "\n") : s)

/** An immutable, indexed answer key. */
export class AnswerKey {
  private constructor(
    private readonly byLine: Map<string, Array<Entry>>,
    /** Number of distinct questions. */
    readonly size: number
  ) {}

  /** Builds the index; a later pair with the same question text replaces an earlier one. */
  static build(
    pairs: Iterable<{ readonly question: string; readonly answer: string; readonly replies?: ReadonlyArray<string> | undefined }>
  ): AnswerKey {
    const byText = new Map<string, { answer: string; replies: ReadonlyArray<string> | undefined }>()
    for (const p of pairs) {
      const q = normalize(p.question).trim()
      if (q === "") continue
      byText.delete(q) // keep insertion order = last definition
      byText.set(q, { answer: String(p.answer).trim(), replies: p.replies })
    }
    const byLine = new Map<string, Array<Entry>>()
    let index = 0
    for (const [question, { answer, replies }] of byText) {
      const entry: Entry = { index: index++, question, answer, hash: hashString(question), replies }
      const seen = new Set<string>()
      for (const raw of question.split("\n")) {
        const line = raw.trim()
        if (line === "" || seen.has(line)) continue
        seen.add(line)
        const list = byLine.get(line)
        if (list === undefined) byLine.set(line, [entry])
        else list.push(entry)
      }
    }
    return new AnswerKey(byLine, index)
  }

  /**
   * The key's question contained in `message`: the one that ends last in the message (the asked
   * question usually follows any few-shot examples), the longer one on a tie. `stats.checked`
   * counts the questions compared in full.
   */
  find(message: string, stats?: { checked: number }): Entry | undefined {
    if (this.size === 0 || message === "") return undefined
    const text = normalize(message)
    const found = new Set<Array<Entry>>()
    const addList = (key: string) => {
      const list = this.byLine.get(key)
      if (list !== undefined) found.add(list)
    }
    let start = 0
    while (start <= text.length) {
      let end = text.indexOf("\n", start)
      if (end < 0) end = text.length
      const line = text.slice(start, end).trim()
      if (line !== "") {
        addList(line)
        // "Question: <first line of the question>" and similar labels on the same line.
        const colon = line.indexOf(": ")
        if (colon >= 0) addList(line.slice(colon + 2).trim())
      }
      start = end + 1
    }
    if (found.size === 0) return undefined
    const lists = [...found].sort((a, b) => a.length - b.length)

    let best: Entry | undefined
    let bestEnd = -1
    const checked = new Set<Entry>()
    for (const list of lists) {
      if (best !== undefined && list.length > SELECTIVE) break
      for (const entry of list) {
        if (checked.has(entry)) continue
        checked.add(entry)
        // Counted for tests: the questions compared in full, which must not grow with the key.
        if (stats !== undefined) stats.checked++
        const at = text.lastIndexOf(entry.question)
        if (at < 0) continue
        const endAt = at + entry.question.length
        if (endAt > bestEnd || (endAt === bestEnd && best !== undefined && entry.question.length > best.question.length)) {
          best = entry
          bestEnd = endAt
        }
      }
    }
    return best
  }
}
