/**
 * The adapter's edge for errors: every SqlError, MigrationError, driver error or decoding failure
 * becomes core's StorageError here, so nothing above the repositories sees a `pg` type. A
 * PostgreSQL error carries its SQLSTATE and the constraint it violated; those pick the message.
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
 * A failure's message for people: the messages along its cause chain, without the client's
 * generic wrappers, so that PostgreSQL's own words come through.
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
const property = (error: unknown, name: string): string | undefined => {
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

/** The SQLSTATE (`23505`, `28P01`, …) or the socket's code (`ECONNREFUSED`), when there is one. */
export const codeOf = (error: unknown): string | undefined => property(error, "code")

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

/** Builds a StorageError for an operation. */
export const storageError = (operation: string, message: string): StorageError.StorageError =>
  new StorageError.StorageError({ operation, message })

/** Maps any failure to a StorageError naming the operation. */
export const toStorageError = (operation: string) => (error: unknown): StorageError.StorageError =>
  error instanceof StorageError.StorageError ? error : storageError(operation, messageOf(error))
