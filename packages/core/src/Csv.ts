/**
 * A strict RFC 4180 CSV parser. Benchmark files are hand-edited and exported from spreadsheets,
 * so instead of guessing what a malformed file meant, it refuses it and says where: every record
 * carries the physical line it starts on, and every error names a line (and a column when known).
 *
 * Rules: fields are separated by `,`, records by CRLF or LF; quoted fields may hold commas, line
 * breaks (a lone CR inside quotes is data) and doubled quotes `""`; a leading BOM is dropped;
 * completely empty lines are skipped; the final line break is optional; the first record is the
 * header and every other record must have as many fields. Lines are counted by LF characters.
 *
 * It runs in one pass over the string (`indexOf`/`charCodeAt`, slices rather than per-character
 * concatenation), so a file of tens of thousands of rows parses in milliseconds.
 */
import { Data, Either } from "effect"

/** What went wrong in a CSV text. */
export type CsvErrorReason =
  | "EmptyDocument"
  | "UnterminatedQuote"
  | "QuoteInUnquotedField"
  | "TextAfterClosingQuote"
  | "BareCarriageReturn"
  | "FieldCount"

/** A CSV text that breaks RFC 4180, located by 1-based line and (when known) 1-based column. */
export class CsvError extends Data.TaggedError("CsvError")<{
  readonly reason: CsvErrorReason
  readonly line: number
  readonly column: number | undefined
  /** The problem alone, without its location (callers that print their own location use it). */
  readonly problem: string
  readonly message: string
}> {
  constructor(props: {
    readonly reason: CsvErrorReason
    readonly line: number
    readonly column?: number | undefined
    readonly problem: string
  }) {
    const where = props.column === undefined ? `line ${props.line}` : `line ${props.line}, column ${props.column}`
    super({ ...props, column: props.column, message: `${where}: ${props.problem}` })
  }
}

/** One record: its fields and the 1-based physical line where it starts. */
export interface CsvRow {
  readonly line: number
  readonly fields: ReadonlyArray<string>
}

/** A parsed CSV text: the header record and the data records after it (empty lines skipped). */
export interface CsvDocument {
  readonly header: CsvRow
  readonly rows: ReadonlyArray<CsvRow>
}

const QUOTE = 34 // "
const COMMA = 44 // ,
const LF = 10
const CR = 13
const BOM = 0xfeff

/**
 * Parses a CSV text synchronously; fails with a `CsvError` on the first violation (including a
 * text with no records at all, which has no header).
 */
export const parse = (text: string): Either.Either<CsvDocument, CsvError> => {
  const length = text.length
  let pos = length > 0 && text.charCodeAt(0) === BOM ? 1 : 0
  let line = 1
  let lineStart = pos
  let header: CsvRow | undefined
  let width = 0
  let nextLf = 0
  const rows: Array<CsvRow> = []

  const fail = (reason: CsvErrorReason, errorLine: number, column: number | undefined, problem: string) =>
    Either.left(new CsvError({ reason, line: errorLine, column, problem }))

  while (pos < length) {
    const first = text.charCodeAt(pos)
    // A completely empty line: skip it without producing a record.
    if (first === LF) {
      pos++
      line++
      lineStart = pos
      continue
    }
    if (first === CR && text.charCodeAt(pos + 1) === LF) {
      pos += 2
      line++
      lineStart = pos
      continue
    }

    const recordLine = line
    const fields: Array<string> = []
    // One iteration per field; `pos` ends on the record terminator (or the end of the text).
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        const openLine = line
        const openColumn = pos - lineStart + 1
        pos++
        let value = ""
        let chunkStart = pos
        for (;;) {
          const close = text.indexOf("\"", pos)
          if (close === -1) {
            return fail(
              "UnterminatedQuote",
              openLine,
              openColumn,
              "a quoted field is never closed: the quote opened here has no matching closing quote"
            )
          }
          // Keep the line count right across line breaks inside the quoted field. `nextLf` only
          // moves forward, so the whole text is searched for LFs at most once.
          if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf("\n", pos)
          while (nextLf !== -1 && nextLf < close) {
            line++
            lineStart = nextLf + 1
            nextLf = text.indexOf("\n", lineStart)
          }
          if (text.charCodeAt(close + 1) === QUOTE) {
            // A doubled quote is one literal quote.
            value += text.slice(chunkStart, close + 1)
            pos = close + 2
            chunkStart = pos
            continue
          }
          value += text.slice(chunkStart, close)
          pos = close + 1
          break
        }
        fields.push(value)
        if (pos >= length) break
        const after = text.charCodeAt(pos)
        if (after === COMMA) {
          pos++
          continue
        }
        if (after === LF || (after === CR && text.charCodeAt(pos + 1) === LF)) break
        return fail(
          "TextAfterClosingQuote",
          line,
          pos - lineStart + 1,
          "unexpected text after the closing quote of a quoted field (a quote inside a quoted field must be doubled: \"\")"
        )
      }

      const start = pos
      let c = text.charCodeAt(pos)
      while (pos < length && c !== COMMA && c !== LF && c !== CR) {
        if (c === QUOTE) {
          return fail(
            "QuoteInUnquotedField",
            line,
            pos - lineStart + 1,
            "a quote (\") inside a field that does not start with a quote"
          )
        }
        c = text.charCodeAt(++pos)
      }
      fields.push(text.slice(start, pos))
      if (pos < length && c === COMMA) {
        pos++
        continue
      }
      if (c === CR && text.charCodeAt(pos + 1) !== LF) {
        return fail(
          "BareCarriageReturn",
          line,
          pos - lineStart + 1,
          "a carriage return (CR) that is not followed by a line feed (LF) outside a quoted field; only LF and CRLF line endings are supported"
        )
      }
      break
    }

    // Consume the record terminator, if any.
    if (pos < length) {
      pos += text.charCodeAt(pos) === CR ? 2 : 1
      line++
      lineStart = pos
    }

    if (header === undefined) {
      header = { line: recordLine, fields }
      width = fields.length
    } else {
      if (fields.length !== width) {
        return fail(
          "FieldCount",
          recordLine,
          undefined,
          `the record has ${fields.length} field${fields.length === 1 ? "" : "s"} but the header has ${width}`
        )
      }
      rows.push({ line: recordLine, fields })
    }
  }

  if (header === undefined) {
    return fail("EmptyDocument", 1, undefined, "the text has no records (not even a header)")
  }
  return Either.right({ header, rows })
}
