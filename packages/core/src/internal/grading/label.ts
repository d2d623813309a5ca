/**
 * Labels of a closed set (True/False/Uncertain, Yes/No, Entailment/Neutral/Contradiction, …):
 * the one label a reply commits to, on whole words, any case. "Unknown", "cannot be determined"
 * and the like mean the set's uncertain label; a negated label ("not true") is no answer; a reply
 * naming no single label ("could be true or false") is no answer.
 */
import { labelVocabularies } from "../../AnswerKind.js"
import { firstLine, fromConclusions, HEDGE_BETWEEN, HEDGE_LEAD, isNegated, lastLine, type Marker, search, withoutCheck } from "./markers.js"

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The label set used for an expected label: the given set, else its well-known vocabulary, else itself. */
export const labelSet = (expected: string, labels?: ReadonlyArray<string>): ReadonlyArray<string> => {
  const e = expected.trim()
  const base = labels ?? labelVocabularies.find((g) => g.some((l) => l.toLowerCase() === e.toLowerCase())) ?? []
  return base.some((l) => l.toLowerCase() === e.toLowerCase()) ? base : [...base, e]
}

/** Labels that all mean "it cannot be told" (compared as one). */
const UNCERTAIN = new Set(["uncertain", "unknown", "undetermined", "indeterminate", "cannot be determined", "can't be determined"])
/** Phrases that mean the uncertain label without naming it. */
const uncertainPhrases: ReadonlyArray<string> = [
  String.raw`neither\s+true\s+nor\s+false`,
  String.raw`not\s+necessarily\s+(?:true|false)`,
  String.raw`(?:cannot|can\s*not|can['’]t)\s+(?:be\s+)?(?:determined|concluded|known|inferred|decided|determine|conclude|tell|say|know)`,
  String.raw`(?:not|impossible)\s+(?:possible\s+)?to\s+(?:determine|tell|know|conclude|say)`,
  String.raw`(?:not|(?:do|does|did|is|are|was|were)\s*n['’]t)\s+(?:\p{L}+\s+){0,3}enough\s+information`,
  String.raw`not\s+determinable`, "undetermined", "indeterminate", String.raw`insufficient\s+information`, "unknown", "uncertain"
]

/** A label's comparison key: lower case, every uncertain spelling one key. */
export const labelKey = (label: string): string => {
  const l = label.trim().toLowerCase()
  return UNCERTAIN.has(l) ? "uncertain" : l
}

interface Found {
  readonly label: string
  readonly index: number
  readonly end: number
}

/** Labels (and uncertain phrases, when the set has an uncertain label) standing in `s`, in order, longest first at a place. */
const labelMatches = (s: string, labels: ReadonlyArray<string>): Array<Found> => {
  const found: Array<Found> = []
  const uncertain = labels.find((l) => labelKey(l) === "uncertain")
  const words: Array<readonly [string, string]> = labels.map((l) => [escapeRegExp(l.trim()).replace(/ /g, "\\s+"), l] as const)
  if (uncertain !== undefined) for (const p of uncertainPhrases) words.push([p, uncertain])
  for (const [word, label] of words) {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${word})(?![\\p{L}\\p{N}])`, "giu")
    for (const m of s.matchAll(pattern)) found.push({ label, index: m.index, end: m.index + m[0].length })
  }
  const sorted = found.sort((a, b) => a.index - b.index || b.end - a.end)
  const kept: Array<Found> = []
  for (const m of sorted) if (kept.length === 0 || kept.at(-1)!.end <= m.index) kept.push(m)
  return kept
}

/** What one piece of text says: one label, a hedge (no single label), or nothing. */
type LabelRead = { readonly _tag: "label"; readonly label: string } | { readonly _tag: "hedge" }

const labelIn = (s: string, labels: ReadonlyArray<string>, mode: "first" | "last" | "leading"): LabelRead | null => {
  const all = labelMatches(s, labels)
  if (all.length === 0) return null
  const leading = !/[\p{L}\p{N}]/u.test(s.slice(0, all[0]!.index))
  if (mode === "leading" && !leading) return null
  // "No" is itself a label: never read as negating the label after it, nor negated by what precedes.
  const kept = all.filter((m) => /^no$/i.test(m.label) || !isNegated(s, m.index, m.end))
  if (kept.length === 0) return null
  const distinct = [...new Set(kept.map((m) => labelKey(m.label)))]
  if (distinct.length > 1 && kept.every((m) => HEDGE_LEAD.test(s.slice(Math.max(0, m.index - 20), m.index)))) return { _tag: "hedge" }
  if (distinct.length > 1) {
    for (let i = 0; i + 1 < kept.length; i++) {
      const a = kept[i]!
      const b = kept[i + 1]!
      if (labelKey(a.label) === labelKey(b.label)) continue
      const between = s.slice(a.end, b.index)
      if (HEDGE_BETWEEN.test(between) || /^\s*,?\s*(?:nor|or)\s+/i.test(between) || (HEDGE_LEAD.test(s.slice(0, a.index)) && /^\s*(?:and|or)\s*$/i.test(between))) {
        return { _tag: "hedge" }
      }
    }
  }
  const pick = mode === "last" && !leading ? kept.at(-1)! : kept[0]!
  return { _tag: "label", label: pick.label }
}

/**
 * The label a reply gives, spelled as in `labels`, or null (none, or no single one). In a
 * marker's text the first label not negated wins ("Answer: Yes, because no …" → Yes); without a
 * marker, the last line (its last label), a conclusion ("therefore, False"), then a label that
 * starts the first line.
 */
export const extractLabel = (output: string, labels: ReadonlyArray<string>): string | null => {
  const read = (marker: Marker) => labelIn(marker.text, labels, "first")
  const found = search(output, read, (s) => {
    const body = withoutCheck(s)
    return labelIn(lastLine(body), labels, "last") ?? fromConclusions(body, read) ?? labelIn(firstLine(body), labels, "leading")
  })
  return found?._tag === "label" ? found.label : null
}
