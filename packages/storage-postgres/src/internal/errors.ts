/**
 * The adapter's edge for errors: the shared mapping to core's StorageError (storage-sql's
 * StorageErrors), plus the constraint a PostgreSQL error says was violated (by its SQLSTATE).
 */
import type { StorageError } from "@ml-agents/core"
import { StorageErrors } from "@ml-agents/storage-sql"

/** The driver's error code along the cause chain, if any. */
export const codeOf: (error: unknown) => string | undefined = StorageErrors.codeOf
/** A failure's message for people. */
export const messageOf: (error: unknown) => string = StorageErrors.messageOf
/** Builds a StorageError for an operation. */
export const storageError: (operation: string, message: string) => StorageError.StorageError = StorageErrors.storageError
/** Maps any failure to a StorageError naming the operation. */
export const toStorageError: (operation: string) => (error: unknown) => StorageError.StorageError =
  StorageErrors.toStorageError
const { property } = StorageErrors

/** A violated integrity constraint, as PostgreSQL reports it. */
export interface Violation {
  readonly kind: "unique" | "not_null" | "foreign_key" | "check"
  /** The constraint's name (`benchmarks_name_key`), or for NOT NULL the column's. */
  readonly name: string
}

const KINDS: Record<string, Violation["kind"]> = {
  "23505": "unique",
  "23502": "not_null",
  "23503": "foreign_key",
  "23514": "check"
}

/** The constraint a statement violated, if that is why it failed. */
export const violation = (error: unknown): Violation | undefined => {
  const code = codeOf(error)
  const kind = code === undefined ? undefined : KINDS[code]
  if (kind === undefined) return undefined
  const name = kind === "not_null" ? property(error, "column") : property(error, "constraint")
  return { kind, name: name ?? "" }
}
