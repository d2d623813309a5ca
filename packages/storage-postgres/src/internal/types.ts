/**
 * How the driver turns PostgreSQL values into JavaScript: the text forms the repositories (and
 * `db copy`) expect, the same as SQLite gives. `json` stays text (so stored JSON round-trips byte
 * for byte), `timestamptz` becomes ISO-8601 text with milliseconds, and `bigint`/`numeric`
 * aggregates become numbers (counts and sums of tokens stay far below 2^53).
 */
import * as Pg from "pg"

const OID = { int8: 20, json: 114, numeric: 1700, timestamptz: 1184, jsonb: 3802 } as const

const asText = (value: string): string => value

/** The type parsers of every connection the storage opens. */
export const types: Pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    switch (oid) {
      case OID.int8:
      case OID.numeric:
        return (value: string) => Number(value)
      case OID.json:
      case OID.jsonb:
        return asText
      case OID.timestamptz: {
        const parse = Pg.types.getTypeParser(OID.timestamptz, "text") as (value: string) => Date
        return (value: string) => parse(value).toISOString()
      }
      default:
        return Pg.types.getTypeParser(oid, format ?? "text")
    }
  }) as Pg.CustomTypesConfig["getTypeParser"]
}
