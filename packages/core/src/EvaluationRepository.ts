/**
 * Where evaluations are kept.
 */
import { Context, type Effect, type Option } from "effect"
import type { Evaluation, EvaluationStatus } from "./Evaluation.js"
import type { StorageError } from "./StorageError.js"

/** Filters for listing evaluations. */
export interface ListOptions {
  readonly status?: EvaluationStatus | undefined
  readonly benchmarkName?: string | undefined
  readonly limit?: number | undefined
}

/** The right to run an evaluation, held by one process until it expires (renewed by a heartbeat). */
export interface Lease {
  /** Who holds it: `host:pid:nonce` for the CLI. */
  readonly owner: string
  readonly expiresAt: Date
}

/** A request to take or renew a lease. */
export interface ClaimRequest {
  readonly owner: string
  readonly expiresAt: Date
  /** Expired leases (expiresAt before this) may be taken. */
  readonly now: Date
  /** An owner known to be dead whose unexpired lease may be taken over. */
  readonly replacing?: string | undefined
}

/** The EvaluationRepository service. */
export class EvaluationRepository
  extends Context.Tag("@ml-agents/core/EvaluationRepository")<EvaluationRepository, EvaluationRepository.Service>()
{}

/** The EvaluationRepository service's types. */
export declare namespace EvaluationRepository {
  /** What an EvaluationRepository does. */
  export interface Service {
    readonly create: (evaluation: Evaluation) => Effect.Effect<void, StorageError>
    /** Saves the evaluation's mutable state (status, timestamps, failure reason). */
    readonly update: (evaluation: Evaluation) => Effect.Effect<void, StorageError>
    readonly findById: (id: string) => Effect.Effect<Option.Option<Evaluation>, StorageError>
    /** Evaluations, most recent first. */
    readonly list: (options?: ListOptions) => Effect.Effect<ReadonlyArray<Evaluation>, StorageError>
    /** The evaluation's current lease, if any. */
    readonly lease: (id: string) => Effect.Effect<Option.Option<Lease>, StorageError>
    /**
     * Takes or renews the lease atomically: true when it was free, expired, already ours, or held
     * by `replacing`; false when another live owner holds it.
     */
    readonly claim: (id: string, request: ClaimRequest) => Effect.Effect<boolean, StorageError>
    /** Gives the lease up if we hold it. */
    readonly release: (id: string, owner: string) => Effect.Effect<void, StorageError>
  }
}
