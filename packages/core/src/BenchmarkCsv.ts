/**
 * Turns the bytes of a benchmark CSV file (columns `INPUT` and `OUTPUT`, optional `ID`, any
 * other column kept as metadata) into questions, all or nothing: one bad row anywhere fails the
 * whole import with a message of the form `<source>:<line>: <problem>. <what to do>`, so a
 * researcher never runs an evaluation on half a benchmark.
 */
import { Data, Effect, Either } from "effect"
import { Question } from "./Benchmark.js"
import * as Csv from "./Csv.js"

/** Why a benchmark CSV file was refused. */
export type BenchmarkCsvErrorReason =
  | "InvalidUtf8"
  | "BinaryFile"
  | "EmptyFile"
  | "NoQuestions"
  | "EmptyColumnName"
  | "DuplicateColumn"
  | "MissingColumn"
  | "MalformedRow"
  | "EmptyField"
  | "EmptyId"
  | "DuplicateId"

/** A benchmark CSV file that cannot be imported; `message` is `<source>:<line>: <problem>. <hint>`. */
export class BenchmarkCsvError extends Data.TaggedError("BenchmarkCsvError")<{
  readonly reason: BenchmarkCsvErrorReason
  /** The file name, as given to `parse`. */
  readonly source: string
  /** The 1-based line the problem is on, when it is on one. */
  readonly line: number | undefined
  /** What is wrong, without location or advice. */
  readonly problem: string
  /** What to do about it. */
  readonly hint: string
  readonly message: string
}> {
  constructor(props: {
    readonly reason: BenchmarkCsvErrorReason
    readonly source: string
    readonly line?: number | undefined
    readonly problem: string
    readonly hint: string
  }) {
    const where = props.line === undefined ? props.source : `${props.source}:${props.line}`
    super({ ...props, line: props.line, message: `${where}: ${props.problem}. ${props.hint}` })
  }
}

/** The questions of a benchmark CSV file and its column names (trimmed, as written). */
export interface ParsedBenchmark {
  readonly columns: ReadonlyArray<string>
  readonly questions: ReadonlyArray<Question>
}

/** The question column (column names are matched ignoring case). */
export const INPUT_COLUMN = "INPUT"
/** The expected-answer column. */
export const OUTPUT_COLUMN = "OUTPUT"
/** The optional question-id column; without it questions are numbered "1", "2", … */
export const ID_COLUMN = "ID"

const csvHints: Record<Csv.CsvErrorReason, string> = {
  EmptyDocument: "Give it a header line with INPUT and OUTPUT columns and one line per question.",
  UnterminatedQuote:
    "Close the quoted field with a double quote; a double quote inside a quoted field is written twice (\"\").",
  QuoteInUnquotedField:
    "Put the whole field in double quotes and double every quote inside it, e.g. \"say \"\"hi\"\"\".",
  TextAfterClosingQuote:
    "Double every quote inside the quoted field (\"\") and put nothing between the closing quote and the next comma.",
  BareCarriageReturn: "Save the file with LF or CRLF line endings.",
  FieldCount: "Put fields that contain commas in double quotes, and check for a missing or extra comma."
}

/** The offset of the first byte that does not belong to well-formed UTF-8, or -1. */
const firstInvalidUtf8 = (bytes: Uint8Array): number => {
  const n = bytes.length
  let i = 0
  while (i < n) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      if (b === 0xe0) lo = 0xa0
      else if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      if (b === 0xf0) lo = 0x90
      else if (b === 0xf4) hi = 0x8f
    } else {
      return i
    }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || c < lo || c > hi) return i
      lo = 0x80
      hi = 0xbf
    }
    i += need + 1
  }
  return -1
}

/** The 1-based line of a byte offset. */
const lineOfByte = (bytes: Uint8Array, offset: number): number => {
  let line = 1
  let nl = bytes.indexOf(10)
  while (nl !== -1 && nl < offset) {
    line++
    nl = bytes.indexOf(10, nl + 1)
  }
  return line
}

const hex = (byte: number): string => `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`

const quoted = (names: ReadonlyArray<string>): string => names.map((name) => `"${name}"`).join(", ")

/** The whole import as a pure function, so that the Effect wrapper stays trivial. */
const parseEither = (bytes: Uint8Array, source: string): Either.Either<ParsedBenchmark, BenchmarkCsvError> => {
  const fail = (
    reason: BenchmarkCsvErrorReason,
    line: number | undefined,
    problem: string,
    hint: string
  ) => Either.left(new BenchmarkCsvError({ reason, source, line, problem, hint }))

  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return fail(
      "InvalidUtf8",
      1,
      "the file is encoded as UTF-16, not UTF-8",
      "Save it as UTF-8 (in Excel: Save As, \"CSV UTF-8 (Comma delimited)\")."
    )
  }
  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    return fail(
      "BinaryFile",
      lineOfByte(bytes, nul),
      "the file contains a NUL byte, so it is not a text file (a spreadsheet such as .xlsx, or UTF-16 text?)",
      "Export the sheet as a CSV file encoded as UTF-8."
    )
  }

  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    const bad = firstInvalidUtf8(bytes)
    const at = bad === -1 ? 0 : bad
    return fail(
      "InvalidUtf8",
      lineOfByte(bytes, at),
      `the file is not valid UTF-8 (first invalid byte: ${hex(bytes[at] ?? 0)})`,
      "Save it as UTF-8 (in Excel: Save As, \"CSV UTF-8 (Comma delimited)\"); it is probably in a legacy encoding such as Windows-1252."
    )
  }

  if (!/\S/.test(text)) {
    return fail(
      "EmptyFile",
      undefined,
      "the file is empty",
      "Give it a header line with the columns INPUT and OUTPUT, then one line per question."
    )
  }

  const parsed = Csv.parse(text)
  if (Either.isLeft(parsed)) {
    const error = parsed.left
    const where = error.column === undefined ? "" : ` (column ${error.column})`
    return fail("MalformedRow", error.line, `${error.problem}${where}`, csvHints[error.reason])
  }
  const { header, rows } = parsed.right

  // Header: trimmed, non-empty, unique ignoring case, with INPUT and OUTPUT.
  const columns = header.fields.map((name) => name.trim())
  const seen = new Map<string, number>()
  let inputIndex = -1
  let outputIndex = -1
  let idIndex = -1
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!
    if (name === "") {
      return fail(
        "EmptyColumnName",
        header.line,
        `column ${i + 1} of the header has no name`,
        "Name every column, or delete the empty one (a trailing comma on the header line makes one)."
      )
    }
    const key = name.toUpperCase()
    const previous = seen.get(key)
    if (previous !== undefined) {
      const also = columns[previous] === name ? "" : ` (as "${columns[previous]}")`
      return fail(
        "DuplicateColumn",
        header.line,
        `the column "${name}" appears twice: columns ${previous + 1}${also} and ${i + 1}`,
        "Rename or delete one of them; column names are compared ignoring case."
      )
    }
    seen.set(key, i)
    if (key === INPUT_COLUMN) inputIndex = i
    else if (key === OUTPUT_COLUMN) outputIndex = i
    else if (key === ID_COLUMN) idIndex = i
  }
  if (inputIndex === -1 || outputIndex === -1) {
    const missing = [inputIndex === -1 ? INPUT_COLUMN : undefined, outputIndex === -1 ? OUTPUT_COLUMN : undefined]
      .filter((name): name is string => name !== undefined)
    return fail(
      "MissingColumn",
      header.line,
      `the header has no ${quoted(missing)} column${missing.length === 1 ? "" : "s"} (found ${quoted(columns)})`,
      `Name the question column "${INPUT_COLUMN}" and the expected-answer column "${OUTPUT_COLUMN}"; other columns become metadata.`
    )
  }
  if (rows.length === 0) {
    return fail(
      "NoQuestions",
      header.line,
      "the file has a header but no questions",
      "Add one line per question below the header."
    )
  }

  const metadataColumns: Array<readonly [index: number, name: string]> = []
  for (let i = 0; i < columns.length; i++) {
    if (i !== inputIndex && i !== outputIndex && i !== idIndex) metadataColumns.push([i, columns[i]!])
  }

  const idLines = new Map<string, number>()
  const questions: Array<Question> = new Array(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    const fields = row.fields
    const text = fields[inputIndex]!.trim()
    const expectedAnswer = fields[outputIndex]!.trim()
    if (text === "" || expectedAnswer === "") {
      const index = text === "" ? inputIndex : outputIndex
      return fail(
          "EmptyField",
          row.line,
          `the "${columns[index]}" field (column ${index + 1}) is empty`,
        `Every question needs a non-empty ${INPUT_COLUMN} and ${OUTPUT_COLUMN}; fill it in or delete the line.`
      )
    }
    let id: string
    if (idIndex === -1) {
      id = String(r + 1)
    } else {
      id = fields[idIndex]!.trim()
      if (id === "") {
        return fail(
          "EmptyId",
          row.line,
          `the "${columns[idIndex]}" field (column ${idIndex + 1}) is empty`,
          "Give every question an ID, or delete the ID column to number the questions 1, 2, 3, ..."
        )
      }
      const firstLine = idLines.get(id)
      if (firstLine !== undefined) {
        return fail(
          "DuplicateId",
          row.line,
          `the ID "${id}" is used twice: on line ${firstLine} and on line ${row.line}`,
          "Question IDs must be unique; rename one of them."
        )
      }
      idLines.set(id, row.line)
    }
    // `fromEntries` defines own properties, so even a column named "__proto__" stays plain data.
    const metadata: Record<string, string> = Object.fromEntries(
      metadataColumns.map(([index, name]) => [name, fields[index]!.trim()])
    )
    // Every field is already a string: skip the constructor's validation, which would dominate
    // the cost of importing a large file.
    questions[r] = new Question({ id, text, expectedAnswer, metadata }, true)
  }

  return Either.right({ columns, questions })
}

/**
 * Parses the bytes of a benchmark CSV file named `source` (used in messages) into its questions,
 * or fails with the first problem found.
 */
export const parse: (bytes: Uint8Array, source: string) => Effect.Effect<ParsedBenchmark, BenchmarkCsvError> =
  Effect.fn("BenchmarkCsv.parse")(function*(bytes: Uint8Array, source: string) {
    return yield* parseEither(bytes, source)
  })
