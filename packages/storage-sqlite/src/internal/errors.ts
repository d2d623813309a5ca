/**
 * The adapter's edge for errors: the shared mapping to core's StorageError (storage-sql's
 * StorageErrors), plus how SQLite names the constraint a statement violated.
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

/**
 * The constraint a statement violated, as SQLite names it: `benchmarks.name` for a UNIQUE or
 * PRIMARY KEY constraint, `evaluation_question_results.ordinal` for NOT NULL, `FOREIGN KEY`.
 */
export const violatedConstraint = (error: unknown): string | undefined => {
  const match = /(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: (.*))?$/.exec(messageOf(error))
  return match === null ? undefined : match[2] ?? match[1]
}
