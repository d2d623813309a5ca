/**
 * Text answers: normalisation for comparison, and finding the key in a short answer the way a
 * careful reader does (inside a sentence, with a qualifier or apposition, a surname for a full
 * name), never when the answer negates it or names another candidate beside it.
 */
import { cutExplanation, HEDGE_LEAD, isNegated, isNonAnswer, lastLine, lines, type Marker, search, stripDecoration } from "./markers.js"

/**
 * Text in comparable form: Unicode-normalised, accents removed, lower case, apostrophes and
 * full stops dropped, other punctuation turned into spaces, the articles "a", "an", "the"
 * removed, whitespace collapsed.
 */
export const normalizeText = (s: string): string =>
  s
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’`]|(?<!\d)\.|\.(?!\d)/g, "")
    .replace(/\p{P}/gu, " ")
    .replace(/(?<![\p{L}\p{N}])(?:a|an|the)\s+(?=[\p{L}\p{N}])/gu, " ")
    .replace(/\s+/g, " ")
    .trim()

/** Decoration around a text answer: bold, quotes, `$…$`, `\text{}`, a trailing full stop. */
export const cleanText = (s: string): string | null => {
  const t = stripDecoration(s)
    .replace(/^\$+(.*?)\$+$/s, "$1")
    .replace(/^\\(?:boxed|text|textbf|mathrm)\{(.*)\}$/s, "$1")
    .replace(/^["'“”‘’`](.*)["'“”‘’`]$/s, "$1")
    .replace(/[.。!]+$/, "")
    .trim()
  return t === "" ? null : t
}

/**
 * The final text answer in an output, or null: a marker's text, else a conclusion ("so it is
 * X"), else the whole output when it is one line, else its last line.
 */
export const extractText = (output: string): string | null =>
  search(output, (marker: Marker) => cleanText(marker.text), (s) => cleanText(lines(s).length === 1 ? s : lastLine(s)))

/** Words a key may carry that a reply may leave out ("Pacific Ocean" → "Pacific"). */
const generic = new Set([
  "ocean", "sea", "river", "lake", "mountain", "mountains", "mount", "desert", "island", "islands", "city", "planet",
  "gland", "bone", "muscle", "acid", "gas", "element", "process", "effect", "law", "war", "language", "empire", "dynasty"
])

/** Whether `text` is the key `form` after one or two first names written with capitals ("Neil Armstrong" for "Armstrong"). */
const namedWith = (raw: string, text: string, form: string): boolean => {
  if (!text.endsWith(` ${form}`)) return false
  const first = text.slice(0, -form.length - 1).split(" ")
  const plain = raw.normalize("NFKD").replace(/\p{M}/gu, "")
  return first.length <= 2 && first.every((w) => {
    const at = new RegExp(`(?<![\\p{L}])${escapeRegExp(w)}(?![\\p{L}])`, "iu").exec(plain)
    return at !== null && /\p{Lu}/u.test(plain[at.index]!)
  })
}

/** Titles that may stand before a surname ("Madame Curie"). */
const titles = new Set(["mr", "mrs", "ms", "miss", "madame", "mme", "dr", "sir", "lady", "lord", "professor", "prof", "saint", "st", "king", "queen"])

/** Whether a capitalised word other than the key's own or a title stands right before `form` ("Pierre Curie" for Marie Curie). */
const otherName = (raw: string, form: string, expected: string): boolean => {
  const keyWords = new Set(normalizeText(expected).split(" "))
  if (form.split(" ").length >= keyWords.size) return false
  const plain = raw.normalize("NFKD").replace(/\p{M}/gu, "")
  const m = new RegExp(`(\\p{Lu}[\\p{L}'’-]*)\\.?\\s+${form.split(" ").map(escapeRegExp).join("\\s+")}(?![\\p{L}])`, "iu").exec(plain)
  if (m === null || !/^\p{Lu}/u.test(m[1]!)) return false
  const word = normalizeText(m[1]!)
  return !keyWords.has(word) && !titles.has(word)
}

/** Words a sentence answer wraps its key in ("It is called …", "The answer is …"). */
const filler = new Set([
  "is", "are", "was", "were", "be", "it", "its", "this", "that", "called", "known", "as", "named", "answer", "i", "think",
  "believe", "correct", "final", "of", "in", "by", "to", "and", "from", "on", "at", "for", "with"
])

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The places where the words of `needle` occur as whole words in `hay` (both normalised). */
const occurrences = (hay: string, needle: string): Array<number> => {
  if (needle === "") return []
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(needle)}(?![\\p{L}\\p{N}])`, "gu")
  return [...hay.matchAll(re)].map((m) => m.index)
}

/** A hedge or a second answer in the text: "X or Y", "either X or Y", "X and Y". */
const hedged = (answer: string): boolean =>
  /\b(?:or|either|and\/or)\b|\//i.test(answer) || HEDGE_LEAD.test(answer.split(/\s+/).slice(0, 2).join(" ")) ||
  // A list of names: "Paris, Lyon and Marseille".
  /^[^,]+,\s*\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*)*\s*,?\s+(?:and|&)\s+\p{Lu}/u.test(answer)

/**
 * Whether a text answer gives the key: equal after normalisation; or the key (or, for a full
 * name, its surname; or the key without a generic word such as "Ocean") stands in it as whole
 * words, not negated, and the answer neither hedges nor names anything else before its
 * qualifier. Precision first: when unsure, false.
 */
export const textMatches = (expected: string, answer: string, question?: string): boolean => {
  const key = normalizeText(expected)
  const raw = cutExplanation(answer)
  const got = normalizeText(raw)
  if (key === "" || got === "") return false
  if (got === key) return true
  if (hedged(raw)) return false
  // "The Nile River" for "Nile", "Pacific" for "Pacific Ocean": equal without generic words.
  const contentOf = (t: string) => t.split(" ").filter((w) => !generic.has(w)).join(" ")
  if (contentOf(got) !== "" && contentOf(got) === contentOf(key)) return true
  const keyWords = key.split(" ")
  // The forms of the key a reader accepts, longest first.
  const forms = [key]
  const content = keyWords.filter((w) => !generic.has(w))
  if (content.length > 0 && content.length < keyWords.length) forms.push(content.join(" "))
  // A person's surname alone for a full name ("Austen" for "Jane Austen", "da Vinci" for
  // "Leonardo da Vinci"): names only, two to four words, particles allowed.
  if (/^\p{Lu}[\p{L}'’-]+(?:\s+(?:(?:da|de|di|du|van|von|der|den|la|le|del|bin)\s+)?\p{Lu}\.?[\p{L}'’-]*){1,3}$/u.test(expected.trim()) && keyWords.length >= 2) {
    for (let k = keyWords.length - 1; k >= 1; k--) {
      const suffix = keyWords.slice(k)
      if (suffix.length === 1 || ["da", "de", "di", "du", "van", "von", "der", "den", "la", "le", "del", "bin"].includes(suffix[0]!)) forms.push(suffix.join(" "))
    }
  }
  // A sentence answering the question in its own words: what is left once the question's words
  // (and filler) are taken out is the key ("Plants absorb carbon dioxide from the air").
  if (question !== undefined) {
    const asked = new Set(normalizeText(question).split(" "))
    const left = normalizeText(raw.split(/\.\s/)[0]!).split(" ").filter((w) => !asked.has(w) && !filler.has(w)).join(" ")
    if (left !== "" && (forms.includes(left) || forms.some((f) => namedWith(raw, left, f)))) return true
  }
  // The first clause holds the answer; what follows a comma, bracket or dash qualifies it
  // ("Lima, Peru", "Venus, the second planet", "Silver (Ag)") or is a remark ("…, but some say Y").
  // "Many think it's Sydney, but it's actually Canberra": the answer follows the last turn.
  const turn = [...raw.matchAll(/\b(?:but|however|actually|in fact|rather)\b[,]?/gi)].at(-1)
  const focus = turn !== undefined && /\p{L}/u.test(raw.slice(turn.index + turn[0].length)) ? raw.slice(turn.index + turn[0].length).trim() : raw
  const clauseRaw = focus.split(/\s*[(,;:–—]\s*|\s+-\s+|\.\s|\s+(?:but|though|although|while|whereas)\s+/)[0]!
  const clause = normalizeText(clauseRaw)
  if (forms.includes(clause)) return true
  const paren = /\(([^()]+)\)/.exec(raw)
  if (paren !== null && forms.includes(normalizeText(paren[1]!)) && clause.split(" ").length <= 3) return true
  for (const form of forms) {
    for (const at of occurrences(clause, form)) {
      if (isNegated(clause, at, at + form.length)) continue
      const before = clause.slice(0, at).trim()
      const after = clause.slice(at + form.length).trim()
      // "The largest ocean is the Pacific", "That process is called osmosis": the clause ends on the key
      // after a copula; "Paris is the capital of France": the clause starts with it and a copula follows.
      // The clause ends on the key, unless a comparison or another relation leads to it ("bigger than X").
      if (after === "" && before !== "" && !otherName(clauseRaw, form, expected) && !/\b(?:than|near|from|besides|beside|like|unlike|except|after|before|to|with|without|instead|rather|not|nor|or|and|vs|versus|between)$/.test(before)) return true
      if ((before === "" || namedWith(raw, `${before} ${form}`, form)) && /^(?:is|are|was|were|has|had|remains|became)\b/.test(after)) return true
    }
  }
  return false
}

/** Whether a text answer reads as "no answer" ("N/A", "I don't know"). */
export const isTextNonAnswer = (answer: string): boolean => isNonAnswer(answer)
