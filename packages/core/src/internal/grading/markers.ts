/**
 * The one answer-marker grammar, shared by every grader and by agents' answer extraction
 * (`Answer.extract`): where a reply commits to its final answer, and the text that commitment
 * introduces. The last strong marker wins; conclusions ("so C", "therefore False") count only
 * when no strong marker gives an answer; text after a marker's line (explanations, checks) is
 * context, never the answer.
 */

/** One place where a reply commits to an answer. */
export interface Marker {
  readonly index: number
  /** The text the marker introduces (rest of its line, the next line, or a box's content). */
  readonly text: string
  /** Whether the text is a `\boxed{}`'s whole content (no explanation to cut off). */
  readonly boxed: boolean
}

/** NFKC, with superscript squares and cubes kept as powers ("x²" → "x^2", not "x2"). */
export const unicode = (s: string): string =>
  s.replace(/²/g, "^2").replace(/³/g, "^3")
    // A mixed number ("1½") is a sum, which NFKC would glue into "11⁄2".
    .replace(/(\d)\s*½/g, "$1.5").replace(/(\d)\s*¼/g, "$1.25").replace(/(\d)\s*¾/g, "$1.75")
    .normalize("NFKC")
    .replace(/\u2044/g, "/")

/** Unicode-normalised output with plain newlines. */
export const prepare = (output: string): string => unicode(output).replace(/\r\n?/g, "\n").trim()

/** Markdown and quoting around a piece of text: `**`, `__`, `#`, `>`, list bullets. */
export const stripDecoration = (s: string): string => s.replace(/^[\s*_#>]+/, "").replace(/[\s*_]+$/, "")

/** The content of the balanced braces opening at `open` (the index of `{`), or null if unclosed. */
export const braced = (s: string, open: number): { readonly content: string; readonly end: number } | null => {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    const ch = s[i]
    if (ch === "\\") {
      i++
      continue
    }
    if (ch === "{") depth++
    else if (ch === "}") {
      depth--
      if (depth === 0) return { content: s.slice(open + 1, i), end: i + 1 }
    }
  }
  return null
}

const VERB = String.raw`(?:is|was|would\s+be|should\s+be|must\s+be|will\s+be|=)`
const colonMarker = /(?<![A-Za-z])(?:final\s+answer|final\s+choice|answer)\s*(?:\*\*|__)?\s*(?:[:：]|\n)/gi
const phraseMarker = new RegExp(
  String.raw`(?:(?<![\p{L}])(?:the|my|our|final|correct|right|best)\s+(?:(?:final|correct|right|best)\s+)?(?:answer|option|choice)|(?<![\p{L}])(?:correct|right|best)\s+one|^[ \t*_#>]*answer)\s*(?:\*\*|__)?\s+${VERB}(?![\p{L}])\s*[:：]?`,
  "gimu"
)
const hashMarker = /^[ \t]*####[ \t]*/gm
/** A correction that commits anew: "Wait, actually it's C", "Correction: the answer is 12". */
const correctionMarker = /\b(?:actually|correction|wait|no)[,:;—–-]*\s+(?:actually[,]?\s+)?(?:it['’]s|it\s+is|it\s+should\s+be|the\s+(?:correct\s+)?answer\s+should\s+be)\b\s*[:：]?/gi
const boxStart = /\\(?:boxed|fbox)\s*\{/g
/** Conclusions: weaker than a marker, used only when no marker gives an answer. */
const conclusion = /(?:^|[\s(,;:.!?*])(?:so|therefore|thus|hence|consequently|(?:that|which|this)\s+leaves(?:\s+only)?|leaving(?:\s+only)?|i\s+(?:choose|pick|select)|i(?:['’]d|\s+would)\s+(?:choose|pick|go\s+with|say))\b[\s,:]*/gim

/** The text a line marker introduces: the rest of its line, or the next non-empty line. */
const restOfLine = (s: string, from: number): string => {
  const eol = s.indexOf("\n", from)
  const rest = stripDecoration(s.slice(from, eol === -1 ? s.length : eol))
  if (rest !== "" || eol === -1) return rest
  const next = s.slice(eol + 1).split("\n").find((l) => l.trim() !== "")
  return next === undefined ? "" : stripDecoration(next)
}

/** Every strong answer marker in a prepared reply with the text it introduces, last first. */
export const markers = (s: string): Array<Marker> => {
  const found: Array<Marker> = []
  for (const pattern of [colonMarker, phraseMarker, hashMarker, correctionMarker]) {
    for (const m of s.matchAll(pattern)) {
      const end = m.index + m[0].length
      // "Answer:\n" consumed its newline: read from before it so that the next line is taken.
      const from = m[0].endsWith("\n") ? end - 1 : end
      found.push({ index: m.index, text: restOfLine(s, from), boxed: false })
    }
  }
  for (const m of s.matchAll(boxStart)) {
    const box = braced(s, m.index + m[0].length - 1)
    if (box !== null) found.push({ index: m.index, text: box.content.trim(), boxed: true })
  }
  // At the same place the longer match is the real one ("the answer is" inside "the correct answer is").
  return found.sort((a, b) => b.index - a.index)
}

/** The first value `read` finds in the conclusions of a reply, last conclusion first. */
export const fromConclusions = <A>(s: string, read: (marker: Marker) => A | null): A | null => {
  for (const c of conclusions(s)) {
    const value = read(c)
    if (value !== null) return value
  }
  return null
}

/** Conclusions ("so C", "therefore, the conclusion is False", "I'd choose B"), each to the end of its sentence, last first. */
export const conclusions = (s: string): Array<Marker> => {
  const found: Array<Marker> = []
  for (const m of s.matchAll(conclusion)) {
    const start = m.index + m[0].length
    const rest = s.slice(start)
    const end = rest.search(/\n|[.!?](?:\s|$)(?!\d)/)
    const text = stripDecoration(end === -1 ? rest : rest.slice(0, end))
    // "so is B", "so far", "so that": not a conclusion.
    if (/^(?:is|are|do|does|did|far|that|much|many|long|to|on)\b/i.test(text)) continue
    found.push({ index: m.index, text, boxed: false })
  }
  return found.sort((a, b) => b.index - a.index)
}

const refusal = new RegExp(
  [
    String.raw`\bI\s*(?:can(?:no|['’])t|cannot|am\s+(?:unable|not\s+able)|['’]m\s+(?:unable|not\s+able)|won['’]t|will\s+not)\b[^.\n]{0,40}?\b(?:answer|help(?!\s+but\b)|assist|provide|comply|solve|determine|do\s+that)\b`,
    String.raw`\b(?:unable\s+to|not\s+able\s+to|not\s+going\s+to)\s+(?:help(?!\s+but\b)|assist|answer|comply|provide|do\s+that|fulfil+|engage|respond)`,
    String.raw`\bI\s+(?:do\s+not|don['’]t)\s+know\b`,
    String.raw`\bI\s+(?:must|have\s+to|need\s+to)\s+decline\b`,
    String.raw`\bI['’]m\s+sorry,?\s+(?:but\s+)?I\b`,
    String.raw`\bI\s+(?:don['’]t|do\s+not)\s+have\s+(?:that|this|the|enough)\s+information\b`,
    String.raw`^\W*as\s+an\s+ai\b`,
    String.raw`\bI['’]?m\s+not\s+sure\s+(?:how|what|which|where)\b|\bI\s+am\s+not\s+sure\s+(?:how|what|which|where)\b`
  ].join("|"),
  "i"
)

/** Whether the output refuses or gives up: checked on short outputs whole, on long ones in the last line. */
export const isRefusal = (s: string): boolean => refusal.test(s.length <= 300 ? s : lastLine(s))

const nonAnswer =
  /^(?:n\/?a|none|null|nothing|unknown|cannot be determined|can['’]?not be determined|no answer|not sure|unsure|i\s+(?:do not|don['’]t)\s+know|insufficient (?:information|data)|unanswerable|-+|\?+)$/i

/** Whether an extracted answer says there is no answer ("N/A", "I don't know", …). */
export const isNonAnswer = (s: string): boolean => nonAnswer.test(stripDecoration(s).replace(/[.!]+$/, "").trim())

/** The non-empty trimmed lines of a text. */
export const lines = (s: string): Array<string> => s.split("\n").map((l) => l.trim()).filter((l) => l !== "")
/** The last non-empty line. */
export const lastLine = (s: string): string => lines(s).at(-1) ?? ""
/** The first non-empty line. */
export const firstLine = (s: string): string => lines(s)[0] ?? ""

/** A verification after the answer ("Check: …", "Verification", "Let me verify"): context, not the answer. */
const checkSection = /\n[ \t*_#>-]*(?:check(?:ing)?|verif(?:y|ication|ying)|let\s+me\s+(?:double[-\s])?(?:check|verify)|double[-\s]check|sanity\s+check|proof\s+check)\b/i

/** The reply without a trailing verification section, when one follows some reasoning. */
export const withoutCheck = (s: string): string => {
  const m = checkSection.exec(s)
  return m === null || m.index === 0 ? s : s.slice(0, m.index)
}

/**
 * Runs the shared search on a reply: strong markers last first (`fromMarker` reads one marker's
 * text; a marker whose text says outright there is no answer ends the search), then refusal,
 * then the kind's fallback on the whole reply (which may read `conclusions`).
 */
export const search = <A>(
  output: string,
  fromMarker: (marker: Marker) => A | null,
  fallback: (text: string) => A | null
): A | null => {
  const s = prepare(output)
  if (s === "") return null
  const found = markers(s)
  for (let i = 0; i < found.length; i++) {
    const marker = found[i]!
    const value = fromMarker(marker)
    if (value !== null) return value
    if (i === 0 && isNonAnswer(marker.text)) return null
  }
  if (isRefusal(s) || looksCutOff(s)) return null
  return fallback(s)
}

/**
 * Whether a reply without any marker stops mid-sentence (cut off by max_tokens): a longer reply
 * whose last line ends on an operator or a lower-case word that cannot end a sentence ("36 +",
 * "and then we"; "Vitamin A" and "so A" end on a capital and stand).
 */
export const looksCutOff = (s: string): boolean =>
  (s.includes("\n") || s.length > 40) &&
  /(?:[-+×\/=,(]|\b(?:and|or|the|a|an|then|we|to|of|so|is|are|with|for|that|which|by|in|on|at|let|but|because|since|this|first|next))\s*$/.test(s)

/** Removes a trailing explanation: ", because …", " since …", "; …", " — …", ". The …". */
export const cutExplanation = (s: string): string =>
  s.replace(/(?:,?\s+(?:because|since|as|which|given|so)\b|;|\.\s+(?=\p{Lu}|\p{Ll}{2,})|\s(?:[–—]|--)\s).*$/su, "").trim()

/** Words that negate the candidate right after them ("not B", "rather than B", "instead of B"). */
export const NEGATION_BEFORE = /(?:\bnot|n['’]t|\bnever|\brather\s+than|\binstead\s+of|\bexcept|\bexclud(?:e|ing)|\brul(?:e|ing)\s+out|\beliminat(?:e|ing)|\bno)\s*(?:(?:be|is|it|the|option|choice|answer|that|a|an|quite|exactly|just|simply|necessarily|really|definitely|possibly|certainly)\s+){0,3}[("'*$\\{\[]*$/i
/** Words after a candidate that reject it ("B is wrong", "B is incorrect", "B can be eliminated"). */
export const NEGATION_AFTER = /^[)\]"'*$}.:]*\s*(?:(?:is|are|was|seems|appears|would\s+be|can\s+be|must\s+be|should\s+be)\s+(?:also\s+|clearly\s+|definitely\s+|therefore\s+)?(?:wrong|incorrect|false|eliminated|ruled\s+out|excluded|not\b|unlikely|impossible|invalid)|(?:can|could)\s+(?:be\s+)?(?:eliminated|ruled\s+out|excluded)|(?:doesn['’]t|does\s+not|cannot|can['’]t)\b)/i

/** Whether the candidate at [start, end) of `s` is negated. */
export const isNegated = (s: string, start: number, end: number): boolean => {
  const before = s.slice(Math.max(0, start - 40), start)
  return NEGATION_BEFORE.test(before) || NEGATION_LIST.test(before) || NEGATION_AFTER.test(s.slice(end, end + 40))
}

/** A candidate later in a negated list: "not A or B", "neither A nor B". */
const NEGATION_LIST = /\b(?:not|neither|never)\s+[(\[]?[\p{L}\p{N}]{1,20}[)\]]?\s*,?\s*(?:or|nor|and)\s*[(\["'*$]*$/iu

/** Words joining candidates into a hedge ("B or C", "either B or C", "B/C", "between B and C"). */
export const HEDGE_BETWEEN = /^[\s()\]"'*$},]*(?:,?\s*(?:or|and\/or|\/)\s*(?:possibly\s+|maybe\s+|perhaps\s+)?|\s*\/\s*)[\s("'*$\\{\[]*$/i

/** Whether the reply hedges just before `start` ("either", "between", "could be", "maybe"). */
export const HEDGE_LEAD = /\b(?:either|between|possibly|maybe|perhaps|could\s+be|might\s+be)\s*[("'*$\\{\[]*$/i
