/**
 * `ml-agents worker`: takes queued questions (put there by `evaluate run --queue` or
 * `experiment run --queue`) from the shared database and runs them through the same run loop as a
 * plain run, on as many machines as share the database. Also the queueing itself (`queue`), which
 * both `run --queue` commands share.
 */
import { Command, Options } from "@effect/cli"
import {
  Evaluation,
  EvaluationOrchestrator,
  EvaluationRepository,
  ExperimentRepository,
  FailureReason,
  ResultRepository,
  WorkQueue
} from "@ml-agents/core"
import { Clock, Duration, Effect, Option } from "effect"
import * as os from "node:os"
import { AppContext } from "../AppContext.js"
import { ExitCode, UserError } from "../Errors.js"
import { StorageInfo } from "../Storage.js"
import * as Ui from "../Ui.js"
import * as UsageErrors from "../UsageError.js"

/** This process as a worker: `hostname:pid`, the name `evaluate show` gives the questions it holds. */
export const workerId = (): string => `${os.hostname()}:${process.pid}`

const now = Clock.currentTimeMillis.pipe(Effect.map((ms) => new Date(ms)))

/**
 * Puts the unanswered questions of the evaluations on the queue and marks them running (so that
 * every worker finds them running); returns how many questions each got.
 */
export const queue = (evaluationIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const work = yield* WorkQueue.WorkQueue
    const evaluations = yield* EvaluationRepository.EvaluationRepository
    const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
    return yield* Effect.forEach(evaluationIds, (id) =>
      Effect.gen(function*() {
        const evaluation = yield* orchestrator.get(id)
        if (evaluation.status === "completed") return { id, added: 0 }
        if (evaluation.status !== "running") yield* evaluations.update(yield* Evaluation.start(evaluation, yield* now))
        return { id, added: yield* work.enqueue(id, yield* now) }
      }))
  })

/** The budget an evaluation's queued work runs under (its experiment's), and the cost stored so far against it. */
const budgetOf = (evaluationId: string) =>
  Effect.gen(function*() {
    const experiments = yield* ExperimentRepository.ExperimentRepository
    const results = yield* ResultRepository.ResultRepository
    const experiment = Option.getOrUndefined(yield* experiments.findByEvaluation(evaluationId))
    if (experiment === undefined || experiment.budgetUsd === null) return undefined
    let spent = 0
    let elsewhere = 0
    for (const cell of experiment.cells) {
      const cost = (yield* results.summarize(cell.evaluationId)).costUsd
      spent += cost
      if (cell.evaluationId !== evaluationId) elsewhere += cost
    }
    return { budgetUsd: experiment.budgetUsd, spentUsd: spent, elsewhereUsd: elsewhere }
  })

const workerCommand = Command.make(
  "worker",
  {
    concurrency: Options.integer("concurrency").pipe(
      Options.optional,
      Options.withDescription("questions in flight at once in this worker (default MAX_CONCURRENT_EVALUATIONS)")
    ),
    untilIdle: Options.boolean("until-idle").pipe(
      Options.withDescription("exit (0) once the queue has nothing left to claim, instead of waiting for more work (default: off)")
    )
  },
  ({ concurrency, untilIdle }) =>
    Effect.gen(function*() {
      const { config, flags } = yield* AppContext
      const work = yield* WorkQueue.WorkQueue
      const evaluations = yield* EvaluationRepository.EvaluationRepository
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const context = yield* Effect.context<ExperimentRepository.ExperimentRepository | ResultRepository.ResultRepository>()
      const n = yield* UsageErrors.concurrency(concurrency, config.concurrency)
      // A worker writes results: one older than the database's schema would leave out what it
      // does not know (a column a newer version added), next to the rows of newer workers.
      const schema = yield* (yield* StorageInfo).status
      if (schema.schemaVersion > schema.latestVersion) {
        return yield* new UserError({
          code: ExitCode.config,
          text: `the database's schema is v${schema.schemaVersion}, newer than this ml-agents knows (v${schema.latestVersion}): ` +
            "a newer ml-agents migrated it, and this worker would store results without what the newer version records",
          hint: "upgrade ml-agents on this machine to the version the other workers run, then start the worker again"
        })
      }
      // Validated at start with the rest of the configuration (AppConfig).
      const ttl = config.workerLeaseSeconds
      const poll = config.workerPollSeconds
      const owner = workerId()
      const lease = (batch: number, evaluationId?: string) =>
        now.pipe(Effect.flatMap((at) =>
          work.claim({ owner, batch, now: at, expiresAt: new Date(at.getTime() + ttl * 1000), evaluationId })
        ))
      // Keeps every claim of this worker alive while it works; a killed worker's claims lapse after `ttl`.
      const heartbeat = now.pipe(
        Effect.flatMap((at) => work.heartbeat(owner, new Date(at.getTime() + ttl * 1000))),
        Effect.catchAll((error) => Effect.logWarning("worker heartbeat failed", error)),
        Effect.delay(Duration.millis(ttl * 1000 / 3)),
        Effect.forever
      )
      if (!flags.quiet) yield* Ui.print(`Worker ${Ui.style.bold(owner)}: ${n} in flight, claims of ${ttl} s${untilIdle ? ", until the queue is empty" : " (Ctrl+C to stop)"}`)

      const runOne = (evaluationId: string, first: ReadonlyArray<string>) =>
        Effect.gen(function*() {
          let pending = [...first]
          const source: EvaluationOrchestrator.WorkSource = {
            // Before each claim: has another worker stopped the evaluation, or has the cost of
            // all workers together, as stored, reached the budget?
            next: (id) =>
              Effect.gen(function*() {
                const stored = Option.getOrUndefined(yield* evaluations.findById(id))
                if (stored?.status === "failed" && stored.failureReason !== null) {
                  return yield* new EvaluationOrchestrator.EvaluationFailed({ evaluationId: id, reason: stored.failureReason })
                }
                const budget = yield* Effect.provide(budgetOf(id), context)
                if (budget !== undefined && budget.spentUsd >= budget.budgetUsd) {
                  return yield* new EvaluationOrchestrator.BudgetReached({ evaluationId: id, spentUsd: budget.spentUsd, budgetUsd: budget.budgetUsd })
                }
                if (pending.length > 0) {
                  const ids = pending
                  pending = []
                  return ids
                }
                return (yield* lease(n, id)).map((item) => item.questionId)
              }),
            write: work.complete,
            // Nothing of it left on the queue, and still running: not failed or stopped at the budget
            // by another worker meanwhile (whose queue was then emptied too).
            finished: (id) =>
              Effect.gen(function*() {
                const progress = yield* work.progress(id, yield* now)
                if (progress.waiting + progress.claimed > 0) return false
                return Option.getOrUndefined(yield* evaluations.findById(id))?.status === "running"
              })
          }
          const budget = yield* budgetOf(evaluationId)
          let doneHere = 0
          const [outcome] = yield* orchestrator.runGrid([{ evaluationId }], {
            runId: evaluationId,
            source,
            concurrency: n,
            owner,
            maxCostUsd: budget?.budgetUsd,
            spentElsewhereUsd: budget?.elsewhereUsd,
            questionTimeout: Duration.seconds(config.questionTimeoutSeconds),
            onProgress: () => Effect.sync(() => void doneHere++)
          })
          if (!flags.quiet) {
            const status = outcome?.evaluation.status === "completed" ? Ui.style.green("completed") : "nothing left to claim"
            yield* Ui.print(`  ${evaluationId}: ${Ui.int(doneHere)} question${doneHere === 1 ? "" : "s"} answered here · ${status}`)
          }
        }).pipe(
          // Stopped for everyone: no worker may hand out its questions any more.
          Effect.catchTag("EvaluationFailed", (error) =>
            work.cancel(evaluationId).pipe(
              Effect.zipRight(Ui.warn(`${evaluationId} failed (${error.reason.description}); its questions are off the queue for every worker`)),
              Effect.zipRight(Effect.fail(error))
            )),
          Effect.catchTag("BudgetReached", (error) =>
            work.cancel(evaluationId).pipe(
              Effect.zipRight(Ui.warn(
                `${evaluationId} stopped at the budget (${Ui.usd(error.spentUsd)} of ${Ui.usd(error.budgetUsd)}); its questions are off the queue. ` +
                  `Queue it again with a higher budget to go on`
              ))
            ))
        )

      // The evaluations this worker has worked on: when one of them fails for everyone (another
      // worker's 402 or 401), an idle worker stops too instead of waiting for work that cannot run.
      const touched = new Set<string>()
      const stoppedElsewhere = Effect.gen(function*() {
        for (const id of touched) {
          const stored = Option.getOrUndefined(yield* evaluations.findById(id))
          if (stored?.status === "failed" && stored.failureReason !== null && FailureReason.isAccountLevel(stored.failureReason.category)) {
            return yield* new EvaluationOrchestrator.EvaluationFailed({ evaluationId: id, reason: stored.failureReason })
          }
        }
      })
      const loop = Effect.gen(function*() {
        while (true) {
          const first = yield* lease(1)
          const item = first[0]
          if (item === undefined) {
            yield* stoppedElsewhere
            if (untilIdle) return
            yield* Effect.sleep(Duration.seconds(poll))
            continue
          }
          touched.add(item.evaluationId)
          if (!flags.quiet) yield* Ui.print(`  working on ${Ui.style.bold(item.evaluationId)}`)
          yield* runOne(item.evaluationId, first.map((i) => i.questionId))
        }
      })
      yield* Effect.scoped(Effect.forkScoped(heartbeat).pipe(Effect.zipRight(loop))).pipe(
        // However the worker stops (Ctrl+C included), the questions it still holds go back at once.
        Effect.ensuring(work.release(owner).pipe(Effect.ignoreLogged)),
        Effect.onInterrupt(() => Ui.warn(`Worker ${owner} stopped. Finished results are kept; the questions it held are back on the queue`))
      )
      if (!flags.quiet) yield* Ui.success(`Worker ${owner}: the queue is empty`)
    })
).pipe(Command.withDescription("Take queued questions (evaluate/experiment run --queue) from the shared database and run them, until stopped"))

/** The `worker` command. */
export const command = workerCommand

/**
 * The queue of these evaluations as `show` prints it (nothing when none of them is queued):
 * questions waiting, and which workers (`host:pid`) hold how many, until when.
 */
export const queueLines = (evaluationIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const work = yield* WorkQueue.WorkQueue
    const at = yield* now
    let waiting = 0
    const holders = new Map<string, { items: number; expiresAt: Date }>()
    for (const id of evaluationIds) {
      const progress = yield* work.progress(id, at)
      waiting += progress.waiting
      for (const h of progress.holders) {
        const seen = holders.get(h.owner)
        holders.set(h.owner, {
          items: (seen?.items ?? 0) + h.items,
          expiresAt: seen === undefined || h.expiresAt < seen.expiresAt ? h.expiresAt : seen.expiresAt
        })
      }
    }
    if (waiting === 0 && holders.size === 0) return ""
    const held = [...holders.entries()].map(([owner, h]) =>
      `${owner} (${Ui.int(h.items)}, lease until ${h.expiresAt.toISOString().slice(11, 19)} UTC)`
    )
    return Ui.fields([
      ["queue", `${Ui.int(waiting)} waiting, ${Ui.int([...holders.values()].reduce((s, h) => s + h.items, 0))} claimed`],
      ["workers", held.length === 0 ? "none holds work now (start one with: ml-agents worker)" : held.join(", ")]
    ])
  })
