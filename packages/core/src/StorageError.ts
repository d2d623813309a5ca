/**
 * The one error repositories fail with: storage adapters map their driver's errors to it.
 */
import { Schema } from "effect"

/** A storage operation failed (database locked, disk full, corrupt file, …). */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  operation: Schema.String,
  message: Schema.String
}) {}
