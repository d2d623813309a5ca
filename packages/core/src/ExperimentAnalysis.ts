/**
 * An experiment's answer, computed from its cells' rows like EvaluationResults (never stored): for
 * each model × benchmark, each agent's accuracy (Wilson 95% interval on all its rows; with repeats
 * also the mean over repeats and their spread), its gain over the baseline agent paired on the
 * questions both answered — a bootstrap interval over questions (a question's repeats resampled
 * together) and an exact McNemar test (on the per-question mean scores with repeats: the sign
 * test it becomes), Holm-adjusted across every comparison of the experiment —, its cost and tokens
 * per question and per correct answer, a verdict in words, and with repeats pass@1 … pass@k over
 * them (each repeat a sample of each question, `PassAtK`). Each cell's rows are read once, a chunk
 * at a time; only each question's outcome and samples are kept.
 */
import { Effect } from "effect"
import * as Comparison from "./Comparison.js"
import type { Evaluation } from "./Evaluation.js"
import * as Experiment from "./Experiment.js"
import * as PassAtK from "./PassAtK.js"
import * as Statistics from "./Statistics.js"

/** Token and cost figures of a set of rows; costs are null when the provider reported none (missing, never $0). */
export interface CostFigures {
  readonly totalUsd: number | null
  /** Rows with a reported cost. */
  readonly reportedQuestions: number
  readonly perQuestionUsd: number | null
  readonly perCorrectUsd: number | null
  readonly tokens: { readonly total: number; readonly perQuestion: number | null; readonly perCorrect: number | null }
}

/** One cell, as the experiment's tables show it. */
export interface CellFigures {
  readonly evaluationId: string
  readonly agent: string
  readonly model: string
  readonly benchmark: string
  readonly repeat: number
  readonly status: Evaluation["status"]
  /** Questions the cell asks, and those with a result. */
  readonly questions: { readonly total: number; readonly answered: number }
  readonly correct: number
  readonly errors: number
  /** correct / answered; null before any result. */
  readonly accuracy: number | null
  readonly cost: CostFigures
}

/** One agent entry on one model and benchmark. */
export interface AgentFigures {
  readonly label: string
  readonly agentType: string
  readonly evaluationIds: ReadonlyArray<string>
  /** Rows over all repeats, and the correct ones; Wilson 95% interval of correct / rows. */
  readonly accuracy: Statistics.Interval & { readonly correct: number; readonly n: number }
  /** With repeats: each repeat's accuracy, their mean and their spread (sample standard deviation, min, max). */
  readonly repeats: {
    readonly count: number
    readonly accuracies: ReadonlyArray<number | null>
    readonly mean: number | null
    readonly sd: number | null
    readonly min: number | null
    readonly max: number | null
  }
  /**
   * pass@1 … pass@k over the repeats (each a sample of each question; the unbiased estimator of
   * Chen et al. 2021), the largest k the most samples a question has; null when no question has
   * two samples (one repeat).
   */
  readonly passAtK: PassAtK.Summary | null
  readonly cost: CostFigures
}

/** One agent against the baseline agent, on one model and benchmark. */
export interface GainFigures {
  readonly baseline: string
  readonly candidate: string
  /** Questions both answered (each at least once): the pairs. */
  readonly questions: number
  /** Mean accuracy difference candidate − baseline over the paired questions, with its bootstrap interval. */
  readonly difference: { readonly estimate: number; readonly lower: number; readonly upper: number }
  /**
   * b: questions the baseline did better on, c: the candidate better on (per question, over its
   * repeats); p is McNemar's exact test on them, p_adjusted Holm's over every comparison.
   */
  readonly mcnemar: { readonly b: number; readonly c: number; readonly p: number; readonly pAdjusted: number }
  /** Candidate − baseline cost per question; null when either reported no cost. */
  readonly costDeltaPerQuestionUsd: number | null
  readonly significant: boolean
  readonly verdict: string
}

/** One model × benchmark of the grid. */
export interface GroupFigures {
  readonly model: string
  readonly benchmark: string
  /** The answer kind the cells are graded as (the benchmark's, unless the cells set their own); null when unknown. */
  readonly answerKind: string | null
  readonly agents: ReadonlyArray<AgentFigures>
  readonly comparisons: ReadonlyArray<GainFigures>
}

/** An experiment's whole answer: what `experiment show --json` prints. */
export interface Analysis {
  readonly experiment: {
    readonly id: string
    readonly name: string
    readonly status: ReturnType<typeof Experiment.statusOf>
    readonly createdAt: string
    readonly baseline: string
    readonly agents: ReadonlyArray<{ readonly label: string; readonly agentType: string; readonly agentParameters: Readonly<Record<string, unknown>> }>
    readonly models: ReadonlyArray<string>
    readonly benchmarks: ReadonlyArray<string>
    readonly repeats: number
    readonly sample: { readonly size: number; readonly seed: number } | null
    readonly budgetUsd: number | null
  }
  readonly method: {
    readonly confidence: number
    readonly bootstrap: { readonly iterations: number; readonly seed: number; readonly resampled: "questions" }
    readonly pValueAdjustment: "holm" | "none"
    readonly comparisons: number
    readonly verdictRule: string
  }
  readonly totals: { readonly questions: number; readonly answered: number; readonly costUsd: number | null }
  readonly cells: ReadonlyArray<CellFigures>
  readonly groups: ReadonlyArray<GroupFigures>
}

interface Tally {
  rows: number
  correct: number
  errors: number
  costUsd: number
  costRows: number
  tokens: number
}

const emptyTally = (): Tally => ({ rows: 0, correct: 0, errors: 0, costUsd: 0, costRows: 0, tokens: 0 })

const costFigures = (t: Tally): CostFigures => {
  const totalUsd = t.costRows === 0 ? null : t.costUsd
  return {
    totalUsd,
    reportedQuestions: t.costRows,
    perQuestionUsd: totalUsd === null ? null : totalUsd / t.costRows,
    perCorrectUsd: totalUsd === null || t.correct === 0 ? null : totalUsd / t.correct,
    tokens: {
      total: t.tokens,
      perQuestion: t.rows === 0 ? null : t.tokens / t.rows,
      perCorrect: t.correct === 0 ? null : t.tokens / t.correct
    }
  }
}

const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length

/** What `analyze` needs to know of each cell besides its rows. */
export interface CellInput {
  readonly cell: Experiment.Cell
  readonly evaluation: Evaluation
  /** Questions the cell asks. */
  readonly total: number
  /** The answer kind it is graded as (its own, else its benchmark's); null or absent when unknown. */
  readonly answerKind?: string | null | undefined
}

/**
 * Computes an experiment's answer from its cells' rows (read through the ResultRepository), with
 * the bootstrap seeded by `seed`.
 */
export const analyze = (experiment: Experiment.Experiment, cells: ReadonlyArray<CellInput>, options: { readonly seed: number }) =>
  Effect.gen(function*() {
    // Per cell: each question's correctness (1/0), and the cell's tallies.
    const scores = new Map<string, Map<string, 0 | 1>>()
    const tallies = new Map<string, Tally>()
    const samples = new Map<string, PassAtK.Tally>()
    for (const { evaluation } of cells) {
      const byQuestion = new Map<string, 0 | 1>()
      const tally = emptyTally()
      const sampled = new PassAtK.Tally()
      yield* Comparison.forEachOutcome(evaluation.id, (questionId, o) => {
        byQuestion.set(questionId, o.correct)
        tally.rows++
        tally.correct += o.correct
        tally.tokens += o.totalTokens
        if (o.costUsd !== null) {
          tally.costUsd += o.costUsd
          tally.costRows++
        }
      }, (row) => {
        if (row.error !== null) tally.errors++
        sampled.addRow(row)
      })
      scores.set(evaluation.id, byQuestion)
      tallies.set(evaluation.id, tally)
      samples.set(evaluation.id, sampled)
    }

    const cellFigures: Array<CellFigures> = cells.map(({ cell, evaluation, total }) => {
      const t = tallies.get(evaluation.id)!
      return {
        evaluationId: evaluation.id,
        agent: cell.agent,
        model: cell.model,
        benchmark: cell.benchmark,
        repeat: cell.repeat,
        status: evaluation.status,
        questions: { total, answered: t.rows },
        correct: t.correct,
        errors: t.errors,
        accuracy: t.rows === 0 ? null : t.correct / t.rows,
        cost: costFigures(t)
      }
    })

    const grid = experiment.grid
    const cellsOf = (agent: string, model: string, benchmark: string) =>
      cells.filter((c) => c.cell.agent === agent && c.cell.model === model && c.cell.benchmark === benchmark)
        .sort((a, b) => a.cell.repeat - b.cell.repeat)

    /** Per question, the mean score over the repeats that answered it. */
    const questionScores = (ids: ReadonlyArray<string>) => {
      const sum = new Map<string, { s: number; n: number }>()
      for (const id of ids) {
        for (const [q, v] of scores.get(id)!) {
          const e = sum.get(q)
          if (e === undefined) sum.set(q, { s: v, n: 1 })
          else {
            e.s += v
            e.n++
          }
        }
      }
      return new Map([...sum].map(([q, e]) => [q, e.s / e.n] as const))
    }

    const pending: Array<{ gain: Omit<GainFigures, "mcnemar" | "significant" | "verdict">; b: number; c: number; p: number }> = []
    const groupsRaw = grid.models.flatMap((model) =>
      grid.benchmarks.map((benchmark) => {
        const agents: Array<AgentFigures> = grid.agents.map((entry) => {
          const mine = cellsOf(entry.label, model, benchmark)
          const t = emptyTally()
          for (const c of mine) {
            const ct = tallies.get(c.evaluation.id)!
            t.rows += ct.rows
            t.correct += ct.correct
            t.errors += ct.errors
            t.costUsd += ct.costUsd
            t.costRows += ct.costRows
            t.tokens += ct.tokens
          }
          const accuracies = mine.map((c) => {
            const ct = tallies.get(c.evaluation.id)!
            return ct.rows === 0 ? null : ct.correct / ct.rows
          })
          const pooled = new PassAtK.Tally()
          for (const c of mine) pooled.addAll(samples.get(c.evaluation.id)!)
          const known = accuracies.filter((a): a is number => a !== null)
          const m = known.length === 0 ? null : mean(known)
          const sd = known.length < 2 || m === null
            ? null
            : Math.sqrt(known.reduce((s, a) => s + (a - m) ** 2, 0) / (known.length - 1))
          return {
            label: entry.label,
            agentType: entry.agentType,
            evaluationIds: mine.map((c) => c.evaluation.id),
            accuracy: { correct: t.correct, n: t.rows, ...Statistics.wilson(t.correct, t.rows, Comparison.CONFIDENCE) },
            repeats: {
              count: mine.length,
              accuracies,
              mean: m,
              sd,
              min: known.length === 0 ? null : Math.min(...known),
              max: known.length === 0 ? null : Math.max(...known)
            },
            passAtK: PassAtK.summarize(pooled.questions(), mine.map((c) => c.evaluation.id), pooled.agentSamples),
            cost: costFigures(t)
          }
        })
        const base = agents[0]!
        const baseScores = questionScores(base.evaluationIds)
        const start = pending.length
        for (const candidate of agents.slice(1)) {
          const candScores = questionScores(candidate.evaluationIds)
          const d: Array<number> = []
          let b = 0
          let c = 0
          for (const [q, sb] of baseScores) {
            const sc = candScores.get(q)
            if (sc === undefined) continue
            d.push(sc - sb)
            if (sc > sb) c++
            else if (sc < sb) b++
          }
          const boot = Statistics.bootstrapMean(d, { iterations: Comparison.ITERATIONS, confidence: Comparison.CONFIDENCE, seed: options.seed })
          const perQ = (a: AgentFigures) => a.cost.perQuestionUsd
          pending.push({
            gain: {
              baseline: base.label,
              candidate: candidate.label,
              questions: d.length,
              difference: { estimate: boot.difference, lower: boot.lower, upper: boot.upper },
              costDeltaPerQuestionUsd: perQ(candidate) === null || perQ(base) === null ? null : perQ(candidate)! - perQ(base)!
            },
            b,
            c,
            p: Statistics.mcnemarExact(b, c).pValue
          })
        }
        const kinds = cells.filter((c) => c.cell.model === model && c.cell.benchmark === benchmark)
          .map((c) => c.answerKind ?? c.evaluation.answerKind)
        const answerKind = kinds.find((k): k is string => k !== null && k !== undefined) ?? null
        return { model, benchmark, answerKind, agents, from: start, to: pending.length }
      })
    )

    const adjustedP = Comparison.holm(pending.map((x) => x.p))
    const adjusted = pending.length > 1
    const gains: Array<GainFigures> = pending.map((x, i) => {
      const judged = Comparison.verdict(
        x.gain.baseline,
        x.gain.candidate,
        x.gain.difference,
        adjustedP[i]!,
        adjusted
      )
      return {
        ...x.gain,
        mcnemar: { b: x.b, c: x.c, p: x.p, pAdjusted: adjustedP[i]! },
        significant: x.gain.questions > 0 && judged.significant,
        verdict: x.gain.questions === 0
          ? `nothing to compare yet: ${x.gain.candidate} and ${x.gain.baseline} share no answered question`
          : judged.verdict
      }
    })
    const groups: Array<GroupFigures> = groupsRaw.map((g) => ({
      model: g.model,
      benchmark: g.benchmark,
      answerKind: g.answerKind,
      agents: g.agents,
      comparisons: gains.slice(g.from, g.to)
    }))
    const costRows = cellFigures.reduce((n, c) => n + c.cost.reportedQuestions, 0)
    const analysis: Analysis = {
      experiment: {
        id: experiment.id,
        name: experiment.name,
        status: Experiment.statusOf(cells.map((c) => c.evaluation.status)),
        createdAt: experiment.createdAt.toISOString(),
        baseline: experiment.baseline,
        agents: grid.agents.map((a) => ({ label: a.label, agentType: a.agentType, agentParameters: a.agentParameters })),
        models: grid.models,
        benchmarks: grid.benchmarks,
        repeats: grid.repeats,
        sample: grid.sample === null ? null : { size: grid.sample.size, seed: grid.sample.seed },
        budgetUsd: experiment.budgetUsd
      },
      method: {
        confidence: Comparison.CONFIDENCE,
        bootstrap: { iterations: Comparison.ITERATIONS, seed: options.seed, resampled: "questions" },
        pValueAdjustment: adjusted ? "holm" : "none",
        comparisons: pending.length,
        verdictRule: Comparison.VERDICT_RULE
      },
      totals: {
        questions: cellFigures.reduce((n, c) => n + c.questions.total, 0),
        answered: cellFigures.reduce((n, c) => n + c.questions.answered, 0),
        costUsd: costRows === 0 ? null : cellFigures.reduce((s, c) => s + (c.cost.totalUsd ?? 0), 0)
      },
      cells: cellFigures,
      groups
    }
    return analysis
  })

/** A point of the accuracy-against-cost chart: one agent on one model and benchmark. */
export interface CostPoint {
  readonly agent: string
  readonly model: string
  readonly benchmark: string
  readonly accuracy: number
  readonly costPerQuestionUsd: number
  /** On the benchmark's Pareto frontier: no other point is at least as accurate for less, or more accurate for as much. */
  readonly frontier: boolean
}

/**
 * Per benchmark, every agent × model with results and a reported cost, placed by mean cost per
 * question and accuracy, its Pareto frontier marked (the cheapest way to each level of accuracy).
 * Points without a reported cost are left out (a missing cost is not $0).
 */
export const costFrontiers = (analysis: Analysis): ReadonlyArray<{ readonly benchmark: string; readonly points: ReadonlyArray<CostPoint> }> =>
  analysis.experiment.benchmarks.map((benchmark) => {
    const raw = analysis.groups.filter((g) => g.benchmark === benchmark).flatMap((g) =>
      g.agents.filter((a) => a.accuracy.n > 0 && a.cost.perQuestionUsd !== null).map((a) => ({
        agent: a.label,
        model: g.model,
        benchmark,
        accuracy: a.accuracy.estimate,
        costPerQuestionUsd: a.cost.perQuestionUsd!
      }))
    )
    const dominated = (p: (typeof raw)[number]) =>
      raw.some((q) =>
        q !== p && q.costPerQuestionUsd <= p.costPerQuestionUsd && q.accuracy >= p.accuracy &&
        (q.costPerQuestionUsd < p.costPerQuestionUsd || q.accuracy > p.accuracy)
      )
    return { benchmark, points: raw.map((p) => ({ ...p, frontier: !dominated(p) })) }
  })
