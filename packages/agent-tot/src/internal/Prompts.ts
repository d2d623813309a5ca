/**
 * The prompts of the tree-of-thoughts search: one per kind of call (generate a next step, vote
 * among candidates, value one candidate, give the final answer). Each kind carries a stable
 * marker phrase so that the project's OpenRouter simulator can tell the kinds apart and answer
 * like a plausible model; the simulator mirrors these phrases in
 * packages/simulator/src/internal/TotReply.ts — change both together.
 */
import type { LlmClient } from "@ml-agents/core"

type ChatMessage = LlmClient.ChatMessage

/**
 * Phrases the prompts always contain, one per call kind, plus the labels that frame thoughts.
 * Mirrored in packages/simulator/src/internal/TotReply.ts (`TOT_MARKERS`).
 */
export const markers = {
  /** In every generation prompt. */
  generate: "Propose the next reasoning step",
  /** In every vote prompt. */
  vote: "Decide which candidate next step is most promising",
  /** In every value prompt. */
  value: "Rate how promising the candidate next step is",
  /** In every final-answer prompt. */
  final: "Give the final answer to the question using the reasoning steps above",
  /** Heads the list of steps already taken on the path. */
  steps: "Reasoning steps so far:",
  /** Prefixes each step of the path: `Step 1: …`. */
  step: "Step",
  /** Heads the candidates of a vote prompt. */
  candidates: "Candidate next steps:",
  /** Prefixes each candidate of a vote prompt: `Candidate 1:` on its own line, the thought below. */
  candidate: "Candidate",
  /** Heads the one candidate of a value prompt. */
  candidateOne: "Candidate next step:",
  /** How a vote reply names its choice: `The best choice is 2`. */
  voteAnswer: "The best choice is",
  /** How a value reply gives its score: `Score: 0.7`. */
  valueAnswer: "Score:"
} as const

/** The system prompt shared by every call of the search. */
export const SYSTEM_PROMPT =
  "You are one part of a tree-of-thoughts search that solves a question one reasoning step at a time. " +
  "Follow the instructions of each request exactly and keep to its reply format."

const section = (question: string, path: ReadonlyArray<string>): string => {
  const steps = path.length === 0
    ? "(none yet)"
    : path.map((thought, i) => `${markers.step} ${i + 1}: ${thought}`).join("\n")
  // The question sits on lines of its own so that it can be found verbatim in the prompt.
  return `Question:\n${question}\n\n${markers.steps}\n${steps}`
}

const messages = (user: string): ReadonlyArray<ChatMessage> => [
  { role: "system", content: SYSTEM_PROMPT },
  { role: "user", content: user }
]

/** Asks for one next thought from the state reached by `path`. */
export const generate = (question: string, path: ReadonlyArray<string>): ReadonlyArray<ChatMessage> =>
  messages(
    `${section(question, path)}\n\n` +
      `${markers.generate} (step ${path.length + 1}). Write one short step of a few sentences that moves ` +
      "toward the answer; you may say which answer it points to. Do not repeat earlier steps and do not " +
      "write more than this one step."
  )

/** Shows every candidate next thought of one state and asks which is most promising. */
export const vote = (question: string, path: ReadonlyArray<string>, candidates: ReadonlyArray<string>): ReadonlyArray<ChatMessage> =>
  messages(
    `${section(question, path)}\n\n${markers.candidates}\n` +
      candidates.map((thought, i) => `${markers.candidate} ${i + 1}:\n${thought}`).join("\n\n") +
      `\n\n${markers.vote} toward a correct answer. Analyse each candidate briefly, then end with the line ` +
      `"${markers.voteAnswer} <number>", where <number> is between 1 and ${candidates.length}.`
  )

/** Asks for a 0..1 score of one candidate next thought. */
export const value = (question: string, path: ReadonlyArray<string>, candidate: string): ReadonlyArray<ChatMessage> =>
  messages(
    `${section(question, path)}\n\n${markers.candidateOne}\n${candidate}\n\n` +
      `${markers.value}: how likely it is to lead to a correct answer. Explain briefly, then end with the line ` +
      `"${markers.valueAnswer} <number from 0 to 1>" (1 = sure, 0.5 = likely, 0 = impossible).`
  )

/** Asks for the final answer from the steps of the best path. */
export const final = (question: string, path: ReadonlyArray<string>): ReadonlyArray<ChatMessage> =>
  messages(
    `${section(question, path)}\n\n` +
      `${markers.final}. Check the steps, then end with one line in the form \`Answer: <answer>\`. ` +
      "For multiple-choice questions give only the option letter."
  )
