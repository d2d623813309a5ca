/**
 * How the simulated model answers the `tot` agent's tree-of-thoughts prompts, so that a ToT run
 * over HTTP behaves like a plausible model: a generation prompt gets one short thought that
 * states an answer (right or wrong by the usual accuracy draw), a vote prompt names the candidate
 * that states the right answer when the draw says the model judges well, a value prompt scores a
 * candidate high when it states the right answer (and the draw agrees), and the final prompt
 * answers with what the last step of the path concluded. Every scan is one pass over the prompt.
 */

/**
 * The phrases the `tot` agent's prompts contain, one per call kind, plus the labels around its
 * candidates. Mirrors `markers` in packages/agent-tot/src/internal/Prompts.ts
 * (`TreeOfThought.markers`); change both together (the agent's end-to-end test compares them).
 */
export const TOT_MARKERS = {
  generate: "Propose the next reasoning step",
  vote: "Decide which candidate next step is most promising",
  value: "Rate how promising the candidate next step is",
  final: "Give the final answer to the question using the reasoning steps above",
  steps: "Reasoning steps so far:",
  candidates: "Candidate next steps:",
  candidate: "Candidate",
  candidateOne: "Candidate next step:",
  voteAnswer: "The best choice is",
  valueAnswer: "Score:"
} as const

/** The kind of a tree-of-thoughts prompt. */
export type TotKind = "generate" | "vote" | "value" | "final"

/** The kind of a ToT prompt, or undefined for any other prompt; the marker that comes last wins. */
export const totKind = (text: string): TotKind | undefined => {
  let kind: TotKind | undefined
  let at = -1
  for (const k of ["generate", "vote", "value", "final"] as const) {
    const i = text.lastIndexOf(TOT_MARKERS[k])
    if (i > at) {
      at = i
      kind = k
    }
  }
  return kind
}

// "… the answer appears to be X." (the simulator's own thoughts) and a few ways models say it.
const claimPattern = /\banswer (?:appears to be|is|looks like|should be|would be)[:\s]+(.+?)\s*\.?\s*$/i

/** Compares answers the way a reader would: case, spaces, quotes and a final full stop aside. */
export const sameAnswer = (a: string, b: string): boolean => normalize(a) === normalize(b)

const normalize = (s: string): string =>
  s.trim().replace(/^[*_"'`]+|[*_"'`]+$/g, "").replace(/\.$/, "").trim().toLowerCase()

/** The answer a line of a thought states, if it states one. */
const claimOf = (line: string): string | undefined => {
  const m = claimPattern.exec(line)
  return m === null ? undefined : m[1]
}

/** What the simulated model knows about the question of a prompt. */
export interface Draw {
  /** The answer key's answer; undefined when the question is not in the key. */
  readonly correct: string | undefined
  /** What the accuracy draw of this request gave: `correct` when it came up right, else a wrong answer. */
  readonly drawn: string
}

const wellJudged = (draw: Draw): boolean => draw.correct !== undefined && draw.drawn === draw.correct

/** A thought for a generation prompt: it states the drawn answer (no claim for multi-line answers). */
const thought = (draw: Draw): string => {
  if (draw.correct === undefined) return "I am not sure how to approach this question yet; more information is needed."
  if (draw.drawn.includes("\n")) return "Working through what the question asks gives a plan for the answer."
  return `Working through what the question asks, the answer appears to be ${draw.drawn}.`
}

/** The claims of each candidate of a vote prompt, by candidate number, in one pass over the lines. */
const candidateClaims = (text: string): Array<{ readonly n: number; claim: string | undefined }> => {
  const out: Array<{ readonly n: number; claim: string | undefined }> = []
  const header = new RegExp(`^${TOT_MARKERS.candidate} (\\d+):\\s*(.*)$`)
  let inList = false
  let start = 0
  while (start <= text.length) {
    let end = text.indexOf("\n", start)
    if (end < 0) end = text.length
    const line = text.slice(start, end).trim()
    start = end + 1
    if (!inList) {
      inList = line === TOT_MARKERS.candidates
      continue
    }
    if (line.includes(TOT_MARKERS.vote)) break
    const h = header.exec(line)
    if (h !== null) {
      out.push({ n: Number(h[1]), claim: h[2] === "" ? undefined : claimOf(h[2]!) })
      continue
    }
    const current = out.at(-1)
    if (current !== undefined) current.claim = claimOf(line) ?? current.claim
  }
  return out
}

const vote = (text: string, draw: Draw): string => {
  const candidates = candidateClaims(text)
  if (candidates.length === 0 || draw.correct === undefined) return `I cannot tell the candidates apart.\n${TOT_MARKERS.voteAnswer} 1`
  const right = (c: { claim: string | undefined }) => c.claim !== undefined && sameAnswer(c.claim, draw.correct!)
  // A model that judges well backs a candidate with the right answer; one that does not, a wrong one.
  const pick = wellJudged(draw)
    ? candidates.find(right) ?? candidates[0]!
    : candidates.find((c) => c.claim !== undefined && !right(c)) ?? candidates[0]!
  return `Comparing the candidates, candidate ${pick.n} makes the most progress toward the answer.\n${TOT_MARKERS.voteAnswer} ${pick.n}`
}

const value = (text: string, draw: Draw): string => {
  const from = text.lastIndexOf(`\n${TOT_MARKERS.candidateOne}`)
  const until = text.lastIndexOf(TOT_MARKERS.value)
  let claim: string | undefined
  if (from >= 0) for (const line of text.slice(from, until > from ? until : text.length).split("\n")) claim = claimOf(line) ?? claim
  let score = 0.5
  if (claim !== undefined && draw.correct !== undefined) {
    const right = sameAnswer(claim, draw.correct)
    score = wellJudged(draw) ? (right ? 0.9 : 0.2) : (right ? 0.3 : 0.7)
  }
  return `The step ${score >= 0.5 ? "is consistent with" : "does not fit"} what the question asks.\n${TOT_MARKERS.valueAnswer} ${score}`
}

const final = (text: string, draw: Draw): string => {
  // The answer the last step of the path concluded, else the model's own draw.
  const from = text.lastIndexOf(TOT_MARKERS.steps)
  const until = text.lastIndexOf(TOT_MARKERS.final)
  let claim: string | undefined
  if (from >= 0) for (const line of text.slice(from, until > from ? until : text.length).split("\n")) claim = claimOf(line) ?? claim
  return `Answer: ${claim ?? draw.drawn}`
}

/** The reply to a ToT prompt of `kind` whose last user message is `text`. */
export const reply = (kind: TotKind, text: string, draw: Draw): string => {
  switch (kind) {
    case "generate":
      return thought(draw)
    case "vote":
      return vote(text, draw)
    case "value":
      return value(text, draw)
    case "final":
      return final(text, draw)
  }
}
