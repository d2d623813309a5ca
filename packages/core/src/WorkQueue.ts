/**
 * The work queue: the questions of queued evaluations, which any number of worker processes (on
 * any number of machines sharing one database) claim in small batches under a lease, renew by a
 * heartbeat, and complete by storing their results. It is storage, not a service of its own: the
 * items live in the database beside the results. A worker that dies loses only its claimed batch,
 * which other workers take once the lease expires; a question answered twice (a worker presumed
 * dead that was only slow) still has exactly one result row, by the results' primary key.
 */
import { Context, type Effect } from "effect"
import type { EvaluationQuestionResult } from "./QuestionResult.js"
import type { StorageError } from "./StorageError.js"

/** A claimed question. */
export interface WorkItem {
  readonly evaluationId: string
  readonly questionId: string
  /** Times it was claimed, this claim included (more than 1: a worker before this one did not finish it). */
  readonly attempts: number
}

/** A request for a batch of work. */
export interface ClaimRequest {
  /** Who claims: `host:pid:nonce` for the CLI, as for the run lease. */
  readonly owner: string
  /** Most items to claim. */
  readonly batch: number
  readonly now: Date
  /** When the claim lapses unless renewed by `heartbeat`. */
  readonly expiresAt: Date
  /** Only this evaluation's questions; any queued evaluation's when absent. */
  readonly evaluationId?: string | undefined
}

/** Who holds an evaluation's claimed questions. */
export interface Holder {
  readonly owner: string
  readonly items: number
  /** The earliest expiry of the holder's claims. */
  readonly expiresAt: Date
}

/** An evaluation's queue: questions waiting, and the workers holding the others. */
export interface Progress {
  readonly waiting: number
  readonly claimed: number
  readonly holders: ReadonlyArray<Holder>
}

/** The WorkQueue service. */
export class WorkQueue extends Context.Tag("@ml-agents/core/WorkQueue")<WorkQueue, WorkQueue.Service>() {}

/** The WorkQueue service's types. */
export declare namespace WorkQueue {
  /** What a work queue does. */
  export interface Service {
    /**
     * Queues every question of the evaluation that has no result and is not queued already;
     * returns how many were added (0 when there is nothing left to do, so enqueuing twice is safe).
     */
    readonly enqueue: (evaluationId: string, now: Date) => Effect.Effect<number, StorageError>
    /**
     * Claims up to `batch` questions that nobody holds or whose claim expired, in benchmark order;
     * two claims never get the same question while its lease runs, even from two machines at once.
     */
    readonly claim: (request: ClaimRequest) => Effect.Effect<ReadonlyArray<WorkItem>, StorageError>
    /** Extends every claim the owner still holds to `expiresAt`; returns how many it holds. */
    readonly heartbeat: (owner: string, expiresAt: Date) => Effect.Effect<number, StorageError>
    /**
     * Stores the results (as `ResultRepository.saveAll`) and takes their questions off the queue,
     * in one transaction, whoever holds them now.
     */
    readonly complete: (results: ReadonlyArray<EvaluationQuestionResult>) => Effect.Effect<void, StorageError>
    /** Gives back every question the owner holds (a worker that stops cleanly); returns how many. */
    readonly release: (owner: string) => Effect.Effect<number, StorageError>
    /**
     * Takes every question of the evaluation off the queue, claimed or not (its run stopped for
     * everyone: the account was refused, or the budget was reached); returns how many.
     * Queuing the evaluation again puts its unanswered questions back.
     */
    readonly cancel: (evaluationId: string) => Effect.Effect<number, StorageError>
    /** The evaluation's queue as of `now`: waiting (expired claims included) and claimed, by holder. */
    readonly progress: (evaluationId: string, now: Date) => Effect.Effect<Progress, StorageError>
  }
}
