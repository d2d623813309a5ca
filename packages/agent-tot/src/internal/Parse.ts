/**
 * Reading the model's replies to the search's prompts: a generated thought, a vote and a value.
 * A reply that cannot be read gives `null` (an abstention), never an exception: models wander
 * off-format, and one bad ballot must not sink a question.
 */

const stepLabel = /^\s*(?:\*\*|__)?\s*(?:step\s*\d+|next step|thought)\s*(?:\*\*|__)?\s*[:.)-]\s*(?:\*\*|__)?\s*/i

/**
 * A generated thought, trimmed and without a leading `Step 3:`-style label (the prompts number
 * the steps of a path themselves); "" when the reply said nothing.
 */
export const thought = (reply: string): string => reply.trim().replace(stepLabel, "").trim()

const voteLine = /best\s+choice\s+is\s*[:\-]?\s*(?:\*\*|__)?\s*(?:candidate|option|step|choice)?\s*(?:number|no\.)?\s*#?\s*(\d+)/gi

/** The 1-based candidate a vote reply chose ("The best choice is 2"), or null for an abstention. */
export const vote = (reply: string, candidates: number): number | null => {
  const last = [...reply.matchAll(voteLine)].at(-1)
  if (last === undefined) return null
  const n = Number(last[1])
  return Number.isInteger(n) && n >= 1 && n <= candidates ? n : null
}

const scoreLine = /score\s*(?:\*\*|__)?\s*[:=]\s*(?:\*\*|__)?\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*(%|\/\s*(\d+(?:\.\d+)?))?/gi
const labelLine = /^\W*(?:(?:verdict|judgement|judgment|evaluation|label|rating|answer)\s*(?:\*\*|__)?\s*[:\-]\s*)?\W*(sure|likely|impossible)\W*$/gim

/**
 * Yao et al.'s value labels on the 0..1 scale: `sure` can be trusted, `likely` is a coin that is
 * worth keeping above the default threshold (0.3), `impossible` is pruned by any threshold > 0.
 */
export const labelScores = { sure: 1, likely: 0.5, impossible: 0 } as const

/**
 * The 0..1 score in a value reply: the last `Score: x` (also `x%` or `x/10`), else the last line
 * that is only a `sure`/`likely`/`impossible` label; null for an abstention (none, or out of range).
 */
export const value = (reply: string): number | null => {
  const last = [...reply.matchAll(scoreLine)].at(-1)
  if (last !== undefined) {
    const n = Number(last[1])
    const denominator = last[3] === undefined ? undefined : Number(last[3])
    const score = last[2] === "%" ? n / 100 : denominator !== undefined ? (denominator > 0 ? n / denominator : Number.NaN) : n
    return Number.isFinite(score) && score >= 0 && score <= 1 ? score : null
  }
  const label = [...reply.matchAll(labelLine)].at(-1)
  if (label === undefined) return null
  return labelScores[label[1]!.toLowerCase() as keyof typeof labelScores]
}
