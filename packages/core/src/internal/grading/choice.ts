/**
 * Multiple choice: the letter (A–J) a reply commits to. A choice is a letter in one of its usual
 * forms ("(B)", "B)", "B.", "**B**", "\boxed{B}", "Option B", a lone "B") or, when the question
 * lists its options, an option's text. Negated choices ("not B", "B is wrong") are not answers;
 * two choices joined by "or" are a hedge.
 */
import {
  firstLine, fromConclusions, HEDGE_BETWEEN, HEDGE_LEAD, isNegated, lastLine, lines, type Marker, search, stripDecoration, withoutCheck
} from "./markers.js"
import { normalizeText } from "./text.js"

/** What a reply's choice turned out to be: one letter, a hedge between several, or nothing. */
export type Choice =
  | { readonly _tag: "letter"; readonly letter: string }
  | { readonly _tag: "hedge"; readonly letters: ReadonlyArray<string> }

/** Words after which a lone "A" is still a choice ("A is correct"), not the article ("A good answer"). */
const afterChoiceA = new Set([
  "is", "was", "because", "since", "as", "and", "or", "seems", "appears", "would", "should", "must",
  "fits", "matches", "has", "remains", "can", "could"
])
/** Words after which a lone "I" is still a choice ("I is correct"), not the pronoun ("I would"). */
const afterChoiceI = new Set(["is", "was", "because", "since"])

interface Candidate {
  readonly letter: string
  readonly index: number
  readonly end: number
}

const choicePatterns: ReadonlyArray<RegExp> = [
  /(?<![\w\\])[(\[]\s*([A-Ja-j])\s*[)\]]/dg, // (B) [B] (b)
  /\*\*\s*[(\[]?([A-J])[)\]]?\s*[.:)]?\s*\*\*/dg, // **B**
  /\$\s*[(\[]?([A-J])[)\]]?\s*\$/dg, // $B$
  /\\(?:boxed|text|textbf|mathrm|mathbf)\s*\{\s*[(\[]?([A-J])[)\]]?\s*\}/dg, // \boxed{B}
  /\b[Oo]ption\s+[(\[]?([A-J])\b/dg, // Option B
  /\b[Cc]hoice\s+[(\[]?([A-J])\b/dg, // choice B
  /(?<![\w'’.\\])([A-J])[).:](?![\w])/dg // B)  B.  B:
]
const bareLetter = /(?<![\w'’.\-\\/°º])([A-J])(?![\w'’\-/])/dg

/** Letters that stand as choices in `s`, in order; never a letter inside a word, nor "A"/"I" used as words. */
const letterCandidates = (s: string): Array<Candidate> => {
  const byIndex = new Map<number, Candidate>()
  for (const pattern of choicePatterns) {
    for (const m of s.matchAll(pattern)) {
      const [start] = m.indices![1]!
      byIndex.set(start, { letter: m[1]!.toUpperCase(), index: start, end: m.index + m[0].length })
    }
  }
  for (const m of s.matchAll(bareLetter)) {
    const [start, end] = m.indices![1]!
    const letter = m[1]!
    if (letter === "A" || letter === "I") {
      // "A good answer", "I think": the article or the pronoun, unless a connective follows.
      const next = /^\s+([a-z]+)/.exec(s.slice(end))
      if (next !== null && !(letter === "A" ? afterChoiceA : afterChoiceI).has(next[1]!)) continue
    }
    // "F = ma", "2 × A": a variable in a formula, not a choice.
    if (/^\s*[=+×*\/^<>≈]/.test(s.slice(end)) || /[=+×*\/^<>≈]\s*$/.test(s.slice(0, start))) continue
    if (!byIndex.has(start)) byIndex.set(start, { letter, index: start, end })
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index)
}

/** The options listed in a question: lines like "(B) Mitochondria", "B. …", "B) …", else inline "(A) … (B) …". */
export const parseOptions = (question: string): ReadonlyMap<string, string> => {
  const options = new Map<string, string>()
  for (const m of question.matchAll(/^[ \t]*[(\[]?([A-J])[)\].:][ \t]+(.+?)[ \t]*$/gm)) {
    options.set(m[1]!, m[2]!)
  }
  if (options.size >= 2) return options
  const inline = new Map<string, string>()
  for (const m of question.matchAll(/\(([A-J])\)\s*(.+?)(?=\s*\([A-J]\)|\n|$)/g)) {
    inline.set(m[1]!, m[2]!.trim())
  }
  if (inline.size >= 2) return inline
  // "A) Mars B) Jupiter" or "A. Mars B. Jupiter" on one line: only when the letters run A, B, C, …
  const bare = [...question.matchAll(/(?:^|\s)([A-J])[).:]\s+(.+?)(?=\s+[A-J][).:]\s|\n|$)/g)]
  if (bare.length >= 2 && bare.every((m, k) => m[1] === "ABCDEFGHIJ"[k])) {
    return new Map(bare.map((m) => [m[1]!, m[2]!.trim()] as const))
  }
  return options
}

/** The option whose text the answer is exactly (after normalisation), or null. */
export const optionByText = (s: string, options: ReadonlyMap<string, string>): string | null => {
  const answer = normalizeText(s)
  if (answer === "") return null
  for (const [letter, text] of options) if (normalizeText(text) === answer) return letter
  return null
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Whether the first occurrence of a word in `s` is negated. */
const isNegatedWord = (s: string, word: string): boolean => {
  const at = s.indexOf(word)
  return at >= 0 && isNegated(s, at, at + word.length)
}

/** Options whose text stands in `s` as whole words, longest texts first claimed ("Carbon dioxide" over "Carbon"). */
const textCandidates = (s: string, options: ReadonlyMap<string, string>): Array<Candidate> => {
  const found: Array<Candidate & { readonly length: number }> = []
  const plain = s.normalize("NFKD").replace(/\p{M}/gu, "")
  for (const [letter, text] of options) {
    const words = normalizeText(text).split(" ").filter((w) => w !== "")
    // Short words ("a", "it") are not options by text; numbers ("29") are.
    if (words.length === 0 || (words.length === 1 && words[0]!.length < 3 && !/^\d/.test(words[0]!))) continue
    const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:the\\s+)?${words.map(escapeRegExp).join(String.raw`[\s\p{P}]+`)}(?![\\p{L}\\p{N}])`, "giu")
    for (const m of plain.matchAll(re)) found.push({ letter, index: m.index, end: m.index + m[0].length, length: m[0].length })
  }
  found.sort((a, b) => b.length - a.length)
  const kept: Array<Candidate> = []
  for (const c of found) if (!kept.some((k) => c.index < k.end && k.index < c.end)) kept.push(c)
  return kept.sort((a, b) => a.index - b.index)
}

/**
 * The choice one piece of text makes. `mode` says which candidate stands when several do:
 * "first" (a marker's text: the first one not negated), "last" (a reply's last line), or
 * "leading" (only a choice that starts the text).
 */
const choiceIn = (s: string, mode: "first" | "last" | "leading", options: ReadonlyMap<string, string>): Choice | null => {
  const t = stripDecoration(s)
  const byText = optionByText(t.replace(/[.!]+$/, ""), options)
  if (byText !== null) return { _tag: "letter", letter: byText }
  // A text that is nothing but a letter, in any case: "b", "(b).", "**b**".
  const alone = /^[(\[]?\s*([A-Ja-j])\s*[)\]]?[.:!]?$/.exec(t.replace(/[*_$]/g, "").trim())
  if (alone !== null) return { _tag: "letter", letter: alone[1]!.toUpperCase() }
  const slash = /(?<![\w\\/])[(\[]?([A-J])[)\]]?\s*\/\s*[(\[]?([A-J])[)\]]?(?![\w/])/.exec(t)
  if (slash !== null && slash[1] !== slash[2]) return { _tag: "hedge", letters: [slash[1]!, slash[2]!] }
  const letters = letterCandidates(t)
  // Option texts count only where no letter is given ("Mitochondria", not "(B) Mitochondria" twice).
  const texts = textCandidates(t, options).filter((c) => !letters.some((l) => Math.abs(l.index - c.index) <= 4))
  const all = [...letters, ...texts].sort((a, b) => a.index - b.index)
  if (all.length === 0) {
    // A person's surname for an option's full name ("Einstein" for "(C) Albert Einstein").
    const surnames = [...options].flatMap(([letter, text]) => {
      const m = /^\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,2}\s+(\p{Lu}[\p{L}'’-]{3,})$/u.exec(text.trim())
      return m === null ? [] : [{ letter, word: m[1]! }]
    })
    const named = surnames.filter(({ word }) => new RegExp(`(?<![\\p{L}])${escapeRegExp(word)}(?![\\p{L}])`, "u").test(t))
    return named.length === 1 && !isNegatedWord(t, named[0]!.word) ? { _tag: "letter", letter: named[0]!.letter } : null
  }
  const leading = !/[\p{L}\p{N}]/u.test(t.slice(0, all[0]!.index).replace(/\\boxed\s*\{|\b(?:option|choice)\b/gi, ""))
  if (mode === "leading" && !leading) return null
  const kept = all.filter((c) => !isNegated(t, c.index, c.end))
  if (kept.length === 0) return null
  const distinct = [...new Set(kept.map((c) => c.letter))]
  if (distinct.length === 1) return { _tag: "letter", letter: distinct[0]! }
  // "Maybe B, maybe C": every candidate hedged.
  if (kept.every((c) => HEDGE_LEAD.test(t.slice(Math.max(0, c.index - 20), c.index)))) {
    return { _tag: "hedge", letters: distinct }
  }
  // Two choices joined by "or" / "/" (or after "either", "between") are a hedge, whichever is right.
  for (let i = 0; i + 1 < kept.length; i++) {
    const a = kept[i]!
    const b = kept[i + 1]!
    if (a.letter === b.letter) continue
    const between = t.slice(a.end, b.index)
    // In a marker's text, two choices side by side ("A and C", "A, C") are two answers, not one.
    const paired = /^[\s)\]*]*(?:,|,?\s*and|&)\s*[\s(*]*$/i.test(between)
    if (HEDGE_BETWEEN.test(between) || (paired && (mode === "first" || HEDGE_LEAD.test(t.slice(0, a.index))))) {
      return { _tag: "hedge", letters: [a.letter, b.letter] }
    }
  }
  // "B is tempting, but C fits": what follows "but" / "however" / "instead" is the choice.
  const turn = /\b(?:but|however|instead|rather)\b/i.exec(t.slice(kept[0]!.end))
  if (mode !== "first" && turn !== null) {
    const after = kept.filter((c) => c.index >= kept[0]!.end + turn.index)
    if (after.length > 0 && new Set(after.map((c) => c.letter)).size === 1) return { _tag: "letter", letter: after[0]!.letter }
  }
  if (mode === "first" || leading) return { _tag: "letter", letter: kept[0]!.letter }
  return { _tag: "letter", letter: kept.at(-1)!.letter }
}

/**
 * The choice a reply commits to, or null. In a marker's text the first choice not negated wins;
 * without a marker, a conclusion ("so C", "I'd choose C"), then the last line (a choice at its
 * start, else its last choice), then a choice leading the first line ("B. Mitochondria\n\nBecause …").
 */
export const readChoice = (output: string, question?: string): Choice | null => {
  const options = question === undefined ? new Map<string, string>() : parseOptions(question)
  const read = (marker: Marker) => choiceIn(marker.text, "first", options)
  return search(
    output,
    read,
    (s) => {
      const body = withoutCheck(s)
      // The last line commits: its own conclusion ("Between A and C, I'd choose C") first.
      const last = lastLine(body)
      const single = lines(body).length === 1
      return fromConclusions(last, read) ?? choiceIn(last, "last", options) ??
        fromConclusions(body, read) ?? (single ? null : choiceIn(firstLine(body), "leading", options))
    }
  )
}

/** The letter a multiple-choice reply commits to (null for none and for a hedge). */
export const extractChoice = (output: string, question?: string): string | null => {
  const choice = readChoice(output, question)
  return choice?._tag === "letter" ? choice.letter : null
}

/** The letter an expected answer names ("B", "(b)", "B. Mitochondria"), or its option's letter by text; null otherwise. */
export const expectedChoice = (expected: string, question?: string): string | null => {
  const m = /^\s*[(\[]?\s*([A-Ja-j])\s*(?:[)\].:]|\s|$)/.exec(expected)
  if (m !== null && !/^\s*[(\[]?\s*[A-Ja-j]\s+[a-z]/.test(expected)) return m[1]!.toUpperCase()
  return question === undefined ? null : optionByText(expected, parseOptions(question))
}
