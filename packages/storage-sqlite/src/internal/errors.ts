/**
 * The adapter's edge for errors: every SqlError, MigrationError or decoding failure becomes
 * core's StorageError here, so nothing above the repositories sees a driver's type.
 */
import { StorageError } from "@ml-agents/core"
import { ParseResult, Predicate } from "effect"

const causeMessage = (cause: unknown): string | undefined =>
  Predicate.hasProperty(cause, "message") && typeof cause.message === "string" ? cause.message : undefined

const chain = (error: unknown): Array<unknown> => {
  const links: Array<unknown> = []
  let current: unknown = error
  while (current !== undefined && current !== null && links.length < 8) {
    links.push(current)
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return links
}

/**
 * A failure's message for people: the messages along its cause chain, without the driver's
 * generic "Failed to execute statement", so that SQLite's own words come through.
 */
export const messageOf = (error: unknown): string => {
  if (ParseResult.isParseError(error)) {
    return `data does not match the table's schema: ${error.message}`
  }
  const parts: Array<string> = []
  for (const link of chain(error)) {
    const message = causeMessage(link)?.trim()
    if (message !== undefined && message !== "" && !/^Failed to (execute|prepare) statement$/.test(message)) {
      if (!parts.some((part) => part.includes(message))) parts.push(message)
    }
  }
  return parts.length > 0 ? parts.join(": ") : String(error)
}

/** SQLite's error code (`SQLITE_BUSY`, `SQLITE_NOTADB`, …) when the driver reported one. */
export const codeOf = (error: unknown): string | undefined => {
  for (const link of chain(error)) {
    if (Predicate.hasProperty(link, "code") && typeof link.code === "string") return link.code
  }
  return undefined
}

/**
 * The constraint a statement violated, as SQLite names it: `benchmarks.name` for a UNIQUE or
 * PRIMARY KEY constraint, `evaluation_question_results.ordinal` for NOT NULL, `FOREIGN KEY`.
 */
export const violatedConstraint = (error: unknown): string | undefined => {
  const match = /(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: (.*))?$/.exec(messageOf(error))
  return match === null ? undefined : match[2] ?? match[1]
}

/** Builds a StorageError for an operation. */
export const storageError = (operation: string, message: string): StorageError.StorageError =>
  new StorageError.StorageError({ operation, message })

/** Maps any failure to a StorageError naming the operation. */
export const toStorageError = (operation: string) => (error: unknown): StorageError.StorageError =>
  error instanceof StorageError.StorageError ? error : storageError(operation, messageOf(error))
