/**
 * The storage's edge for errors: every SqlError, MigrationError, driver error or decoding failure
 * becomes core's StorageError here, so nothing above the repositories sees a driver's type.
 * Both adapters build on these; each names its own violated constraints (see Dialect).
 */
import { StorageError } from "@ml-agents/core"
import { ParseResult, Predicate } from "effect"

const chain = (error: unknown): Array<unknown> => {
  const links: Array<unknown> = []
  let current: unknown = error
  while (current !== undefined && current !== null && links.length < 8) {
    links.push(current)
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return links
}

const ownMessage = (link: unknown): string | undefined => {
  // Node reports a failed connection to every address of a host as an AggregateError with an
  // empty message; its errors say what happened.
  if (link instanceof AggregateError && link.message === "") {
    return link.errors.map((e) => ownMessage(e)).filter((m) => m !== undefined).join("; ")
  }
  return Predicate.hasProperty(link, "message") && typeof link.message === "string" ? link.message : undefined
}

/**
 * A failure's message for people: the messages along its cause chain, without the clients'
 * generic wrappers ("Failed to execute statement", …), so that the database's own words come
 * through.
 */
export const messageOf = (error: unknown): string => {
  if (ParseResult.isParseError(error)) {
    return `data does not match the table's schema: ${error.message}`
  }
  const parts: Array<string> = []
  for (const link of chain(error)) {
    const message = ownMessage(link)?.trim()
    if (
      message !== undefined && message !== "" &&
      !/^(Failed to (execute|prepare) statement|Failed to acquire connection( for transaction)?|PgClient: Failed to connect)$/.test(message)
    ) {
      if (!parts.some((part) => part.includes(message))) parts.push(message)
    }
  }
  return parts.length > 0 ? parts.join(": ") : String(error)
}

/** The first value of a string property along the cause chain (`code`, `constraint`, …). */
export const property = (error: unknown, name: string): string | undefined => {
  for (const link of chain(error)) {
    if (Predicate.hasProperty(link, name) && typeof link[name] === "string") return link[name] as string
    if (link instanceof AggregateError) {
      for (const inner of link.errors) {
        if (Predicate.hasProperty(inner, name) && typeof inner[name] === "string") return inner[name] as string
      }
    }
  }
  return undefined
}

/** The driver's error code along the cause chain (`SQLITE_BUSY`, `23505`, `ECONNREFUSED`), if any. */
export const codeOf = (error: unknown): string | undefined => property(error, "code")

/** Builds a StorageError for an operation. */
export const storageError = (operation: string, message: string): StorageError.StorageError =>
  new StorageError.StorageError({ operation, message })

/** Maps any failure to a StorageError naming the operation. */
export const toStorageError = (operation: string) => (error: unknown): StorageError.StorageError =>
  error instanceof StorageError.StorageError ? error : storageError(operation, messageOf(error))
