/**
 * One question's result in full, for `evaluate show <id> --question <qid>`: the question, the
 * outcome, the samples the agent drew with their outcomes, and the agent's trace drawn for
 * reading — the reasoning of `cot`, the search tree of `tot` (every node's thought, score or
 * votes, status, calls and tokens, the best path marked), and any other agent's trace as
 * indented JSON.
 */
import { CodeGrader, ExecutionView } from "@ml-agents/grader-code"
import type { TreeOfThought } from "@ml-agents/agent-tot"
import { PassAtK, type QuestionResult } from "@ml-agents/core"
import * as Ui from "./Ui.js"

const indent = (text: string, pad = "    ") => text.split("\n").map((l) => pad + l).join("\n")
const oneLine = (text: string, max = 110) => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length <= max ? flat : flat.slice(0, max - 1) + "…"
}


const statusColor = (status: string) =>
  status === "pruned"
    ? Ui.style.dim
    : status === "backtracked"
    ? Ui.style.yellow
    : status === "final"
    ? Ui.style.green
    : (s: string) => s

const drawTree = (trace: TreeOfThought.Trace): Array<string> => {
  const nodes = trace.nodes
  const best = new Set<number>(trace.bestPath ?? [])
  const children = new Map<number | null, Array<TreeOfThought.TraceNode>>()
  for (const node of nodes) {
    const list = children.get(node.parentId) ?? []
    list.push(node)
    children.set(node.parentId, list)
  }
  const lines: Array<string> = []
  const walk = (node: TreeOfThought.TraceNode, prefix: string, last: boolean, root: boolean) => {
    const score = node.score === null ? (node.abstained ? "abstained" : "—") : node.score.toFixed(2)
    const votes = node.votes === null ? "" : ` ${node.votes} vote${node.votes === 1 ? "" : "s"}`
    const mark = best.has(node.id) && !root ? Ui.style.green("★ ") : ""
    const head = root
      ? Ui.style.bold("question")
      : `${mark}${statusColor(node.status)(`[${node.status} ${score}${votes}]`)} ${oneLine(node.thought, 90)}`
    const cost = Ui.style.dim(` (${node.calls} call${node.calls === 1 ? "" : "s"}, ${Ui.int(node.tokens)} tok)`)
    const note = node.note ? Ui.style.dim(` — ${node.note}`) : ""
    lines.push(`${prefix}${root ? "" : last ? "└─ " : "├─ "}${head}${cost}${note}`)
    const kids = children.get(node.id) ?? []
    kids.forEach((kid, i) => walk(kid, root ? prefix : prefix + (last ? "   " : "│  "), i === kids.length - 1, false))
  }
  for (const root of children.get(null) ?? []) walk(root, "    ", true, true)
  const calls = trace.calls ?? {}
  lines.push("")
  lines.push(Ui.fields([
    ["calls", `${calls.total ?? "?"} (${calls.generation ?? 0} generation, ${calls.evaluation ?? 0} evaluation, ${calls.final ?? 0} final)`],
    ["best path", (trace.bestPath ?? []).join(" → ")],
    ["backtracks", String((trace.backtracks ?? []).length)],
    ["abstentions", String(trace.abstentions ?? 0)],
    ["stopped", `${trace.stopReason ?? "?"}${trace.budgetExhausted ? " (call budget exhausted)" : ""}`],
    ["parameters", JSON.stringify(trace.parameters ?? {})]
  ]))
  return lines
}

/** One line per model call: who served it, its generation id, tokens, cost and attempts. */
const callsTable = (calls: ReadonlyArray<QuestionResult.ModelCall>): string =>
  Ui.table(calls.map((call, i) => ({ call, n: i + 1 })), [
    { header: "#", value: ({ n }) => String(n), align: "right" },
    { header: "PROVIDER", value: ({ call }) => call.provider ?? "—" },
    { header: "GENERATION", value: ({ call }) => call.generationId ?? "—", max: 40 },
    { header: "TOKENS", value: ({ call }) => `${Ui.int(call.promptTokens)}+${Ui.int(call.completionTokens)}`, align: "right" },
    { header: "COST", value: ({ call }) => (call.attempts === 0 ? "cached" : Ui.usd(call.costUsd)), align: "right" },
    { header: "TRIES", value: ({ call }) => String(call.attempts), align: "right" },
    { header: "END", value: ({ call }) => (call.error !== null ? `failed: ${call.error}` : call.finishReason ?? "—") }
  ])

/** The full view of one result. */
export const render = (result: QuestionResult.EvaluationQuestionResult): string => {
  const outcome = result.error !== null
    ? Ui.style.yellow(`failed: ${result.error.category} — ${result.error.description}`)
    : result.isCorrect
    ? Ui.style.green("correct")
    : result.extractedAnswer === null
    ? Ui.style.red("no answer found")
    : Ui.style.red("wrong")
  const lines = [
    Ui.style.bold(`Question ${result.questionId}`) + `  ${outcome}`,
    indent(result.questionText),
    "",
    Ui.fields([
      ["expected", result.expectedAnswer],
      ["answer", result.extractedAnswer ?? "—"],
      ["time", Ui.duration(result.executionTimeMs)],
      ["model calls", `${result.llmCalls}${result.retries > 0 ? ` (${result.retries} retried attempts)` : ""}${result.cachedCalls > 0 ? ` (${result.cachedCalls} from the cache)` : ""}`],
      ["tokens", `${Ui.int(result.usage.totalTokens)} (${Ui.int(result.usage.promptTokens)} prompt, ${Ui.int(result.usage.completionTokens)} completion, ${Ui.int(result.usage.reasoningTokens)} reasoning)`],
      ["cost", Ui.usd(result.costUsd)]
    ])
  ]
  const execution = result.grader === CodeGrader.KIND ? CodeGrader.decodeDetails(result.gradeDetails) : undefined
  if (execution !== undefined) lines.push("", Ui.style.bold("Tests"), indent(ExecutionView.lines(execution).join("\n")))
  if (result.sampleGrades !== null && result.sampleGrades.length > 0) {
    const correct = PassAtK.countSamples(result.sampleGrades).c
    lines.push(
      "",
      Ui.style.bold("Samples") + Ui.style.dim(`  (${correct} of ${result.sampleGrades.length} correct; each graded on its own, for pass@k)`),
      indent(Ui.table(result.sampleGrades.map((sample, i) => ({ sample, n: i + 1 })), [
        { header: "#", value: ({ n }) => String(n), align: "right" },
        { header: "OUTCOME", value: ({ sample }) => sample.outcome === "correct" ? "correct" : sample.outcome === "no_answer" ? "no answer" : "wrong" },
        { header: "REPLY", value: ({ sample }) => oneLine(sample.rawOutput, 90), max: 90 }
      ]))
    )
  }
  const trace = result.reasoningTrace as any
  if (trace && typeof trace === "object" && trace.kind === "tot") {
    lines.push("", Ui.style.bold("Search tree") + Ui.style.dim("  (★ best path; [status score votes])"), ...drawTree(trace))
  } else if (trace && typeof trace === "object" && trace.kind === "cot") {
    lines.push("", Ui.style.bold(`Reasoning`) + Ui.style.dim(`  (${trace.mode} mode${trace.fellBack ? ", fell back to text" : ""})`))
    lines.push(indent(String(trace.reasoning ?? "").trim() || "—"))
  } else if (trace !== null && trace !== undefined) {
    lines.push("", Ui.style.bold("Trace"), indent(JSON.stringify(trace, null, 2).slice(0, 20_000)))
  }
  if (result.calls.length > 0) lines.push("", Ui.style.bold("Model calls"), indent(callsTable(result.calls)))
  if (result.rawOutput !== null) lines.push("", Ui.style.bold("Raw output"), indent(result.rawOutput))
  if (result.error !== null && result.error.technicalDetails) {
    lines.push("", Ui.style.bold("Error details"), indent(result.error.technicalDetails))
  }
  return lines.join("\n")
}
