/**
 * Benchmark CSV import: every refusal names the file, the line and what to do, and a bad row
 * anywhere fails the whole file.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as BenchmarkCsv from "../src/BenchmarkCsv.js"

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

const failure = (bytes: Uint8Array | string, source = "bench.csv") =>
  BenchmarkCsv.parse(typeof bytes === "string" ? utf8(bytes) : bytes, source).pipe(Effect.flip)

const success = (text: string, source = "bench.csv") => BenchmarkCsv.parse(utf8(text), source)

/** Checks the reason, the line and the `<source>:<line>: ` prefix of the message. */
const assertError = (
  error: BenchmarkCsv.BenchmarkCsvError,
  reason: BenchmarkCsv.BenchmarkCsvErrorReason,
  line: number | undefined,
  source = "bench.csv"
) => {
  assert.strictEqual(error._tag, "BenchmarkCsvError")
  assert.strictEqual(error.reason, reason, error.message)
  assert.strictEqual(error.line, line, error.message)
  assert.strictEqual(error.source, source)
  const prefix = line === undefined ? `${source}: ` : `${source}:${line}: `
  assert.isTrue(error.message.startsWith(prefix), `"${error.message}" should start with "${prefix}"`)
  assert.strictEqual(error.message, `${prefix}${error.problem}. ${error.hint}`)
}

describe("BenchmarkCsv.parse", () => {
  it.effect("reads questions, trimming text and answer, numbering them when there is no ID column", () =>
    Effect.gen(function*() {
      const parsed = yield* success("INPUT,OUTPUT\n  What is 2+2?  , 4 \n\"Name a colour, please\",\"red\"\n")
      assert.deepStrictEqual(parsed.columns, ["INPUT", "OUTPUT"])
      assert.strictEqual(parsed.questions.length, 2)
      const [first, second] = parsed.questions
      assert.strictEqual(first!.id, "1")
      assert.strictEqual(first!.text, "What is 2+2?")
      assert.strictEqual(first!.expectedAnswer, "4")
      assert.deepStrictEqual(first!.metadata, {})
      assert.strictEqual(second!.id, "2")
      assert.strictEqual(second!.text, "Name a colour, please")
    }))

  it.effect("numbers questions by data row, not by line, when rows span lines", () =>
    Effect.gen(function*() {
      const parsed = yield* success("INPUT,OUTPUT\n\"a\nb\",1\n\nc,2\n")
      assert.deepStrictEqual(parsed.questions.map((q) => q.id), ["1", "2"])
      assert.strictEqual(parsed.questions[0]!.text, "a\nb")
    }))

  it.effect("takes ids from an ID column, matched ignoring case, and keeps other columns as metadata", () =>
    Effect.gen(function*() {
      const parsed = yield* success(
        "\uFEFF category , input,Id,Output,Difficulty\r\nscience,\"Why is the sky blue?\",q-7 ,Rayleigh scattering,hard\r\n"
      )
      assert.deepStrictEqual(parsed.columns, ["category", "input", "Id", "Output", "Difficulty"])
      const q = parsed.questions[0]!
      assert.strictEqual(q.id, "q-7")
      assert.strictEqual(q.text, "Why is the sky blue?")
      assert.strictEqual(q.expectedAnswer, "Rayleigh scattering")
      assert.deepStrictEqual(q.metadata, { category: "science", Difficulty: "hard" })
    }))

  it.effect("keeps a metadata column named __proto__ as plain data", () =>
    Effect.gen(function*() {
      const parsed = yield* success("INPUT,OUTPUT,__proto__\nq,a,x\n")
      assert.deepStrictEqual(Object.entries(parsed.questions[0]!.metadata), [["__proto__", "x"]])
    }))

  it.effect("refuses invalid UTF-8, naming the line of the first bad byte", () =>
    Effect.gen(function*() {
      // "café" in Windows-1252 on line 3.
      const bytes = new Uint8Array([...utf8("INPUT,OUTPUT\nok,1\ncaf"), 0xe9, ...utf8(",2\n")])
      const error = yield* failure(bytes, "legacy.csv")
      assertError(error, "InvalidUtf8", 3, "legacy.csv")
      assert.include(error.message, "0xE9")
      assert.include(error.message, "UTF-8")
    }))

  it.effect("refuses a truncated multi-byte sequence and an encoded surrogate at their lines", () =>
    Effect.gen(function*() {
      const truncated = new Uint8Array([...utf8("INPUT,OUTPUT\na,1\nb,2\n\"x\ny\",3\nz,"), 0xe2, 0x82])
      assertError(yield* failure(truncated), "InvalidUtf8", 6)
      const surrogate = new Uint8Array([...utf8("INPUT,OUTPUT\n"), 0xed, 0xa0, 0x80, ...utf8(",1\n")])
      assertError(yield* failure(surrogate), "InvalidUtf8", 2)
    }))

  it.effect("refuses UTF-16 files", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array([0xff, 0xfe, 0x49, 0x00, 0x4e, 0x00])
      const error = yield* failure(bytes)
      assertError(error, "InvalidUtf8", 1)
      assert.include(error.message, "UTF-16")
    }))

  it.effect("refuses a file containing NUL bytes", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array([...utf8("INPUT,OUTPUT\na,1\n"), 0x00, ...utf8(",2\n")])
      assertError(yield* failure(bytes), "BinaryFile", 3)
    }))

  it.effect("refuses an empty file and a whitespace-only one", () =>
    Effect.gen(function*() {
      assertError(yield* failure(""), "EmptyFile", undefined)
      assertError(yield* failure("\uFEFF\n \r\n\n"), "EmptyFile", undefined)
    }))

  it.effect("refuses a header without questions", () =>
    Effect.gen(function*() {
      assertError(yield* failure("\nINPUT,OUTPUT\n\n"), "NoQuestions", 2)
    }))

  it.effect("refuses a missing OUTPUT column, naming the exact column expected", () =>
    Effect.gen(function*() {
      const error = yield* failure("INPUT,ANSWER\nq,a\n")
      assertError(error, "MissingColumn", 1)
      assert.include(error.problem, "\"OUTPUT\"")
      assert.notInclude(error.problem, "\"INPUT\" column")
      assert.include(error.hint, "\"INPUT\"")
      const both = yield* failure("question,answer\nq,a\n")
      assert.include(both.problem, "\"INPUT\", \"OUTPUT\" columns")
    }))

  it.effect("refuses duplicate columns, compared ignoring case", () =>
    Effect.gen(function*() {
      const error = yield* failure("INPUT,OUTPUT,Category,category\nq,a,x,y\n")
      assertError(error, "DuplicateColumn", 1)
      assert.include(error.problem, "\"category\"")
      assert.include(error.problem, "columns 3 (as \"Category\") and 4")
      assertError(yield* failure("INPUT,OUTPUT,input\nq,a,b\n"), "DuplicateColumn", 1)
    }))

  it.effect("refuses an empty column name", () =>
    Effect.gen(function*() {
      const error = yield* failure("\n\nINPUT,OUTPUT,  \nq,a,\n")
      assertError(error, "EmptyColumnName", 3)
      assert.include(error.problem, "column 3")
    }))

  it.effect("refuses a malformed row with its line", () =>
    Effect.gen(function*() {
      const unterminated = yield* failure("INPUT,OUTPUT\n\"a\nb\",1\nc,\"2\nd,3\n")
      assertError(unterminated, "MalformedRow", 4)
      const count = yield* failure("INPUT,OUTPUT\nq,1\nWhat is 1,000 + 1?,1001\n")
      assertError(count, "MalformedRow", 3)
      assert.include(count.problem, "3 fields but the header has 2")
      const stray = yield* failure("INPUT,OUTPUT\nsay \"hi\",1\n")
      assertError(stray, "MalformedRow", 2)
      assert.include(stray.problem, "column 5")
    }))

  it.effect("refuses an empty INPUT or OUTPUT, naming the line and the column", () =>
    Effect.gen(function*() {
      const output = yield* failure("ID,Input,Output\n1,q,a\n2,\"multi\nline\",\"  \"\n")
      assertError(output, "EmptyField", 3)
      assert.include(output.problem, "\"Output\" field (column 3)")
      const input = yield* failure("INPUT,OUTPUT\nq,a\n\r\n ,a\n")
      assertError(input, "EmptyField", 4)
      assert.include(input.problem, "\"INPUT\"")
    }))

  it.effect("refuses an empty or duplicate ID, naming both lines", () =>
    Effect.gen(function*() {
      const empty = yield* failure("ID,INPUT,OUTPUT\nq1,a,1\n ,b,2\n")
      assertError(empty, "EmptyId", 3)
      const duplicate = yield* failure("ID,INPUT,OUTPUT\nq1,a,1\nq2,\"b\nb\",2\nq1 ,c,3\n")
      assertError(duplicate, "DuplicateId", 5)
      assert.include(duplicate.problem, "\"q1\"")
      assert.include(duplicate.problem, "line 2 and on line 5")
    }))

  const generate = (rows: number, badRow?: number): string => {
    const parts = ["ID,INPUT,OUTPUT,category\n"]
    for (let i = 1; i <= rows; i++) {
      const output = i === badRow ? " " : String(i * 3)
      parts.push(
        `q${i},"Question ${i}: what is ${i} times 3? Consider the following text, which is long enough to be realistic: ${
          "lorem ipsum, dolor sit amet ".repeat(6)
        }",${output},cat${i % 7}\n`
      )
    }
    return parts.join("")
  }

  it.effect("fails a 50,000-row file whose only bad row is near the end, naming that line", () =>
    Effect.gen(function*() {
      const error = yield* failure(generate(50_000, 49_999), "big.csv")
      // Row n is on line n + 1.
      assertError(error, "EmptyField", 50_000, "big.csv")
      assert.isTrue(error.message.startsWith("big.csv:50000: the \"OUTPUT\" field (column 3) is empty."))
    }))

  it.effect("parses a valid 50,000-row file", () =>
    Effect.gen(function*() {
      const bytes = utf8(generate(50_000))
      const start = performance.now()
      const parsed = yield* BenchmarkCsv.parse(bytes, "big.csv")
      console.log(
        `BenchmarkCsv.parse: 50,000 rows, ${(bytes.length / 1e6).toFixed(1)} MB in ${
          (performance.now() - start).toFixed(0)
        } ms`
      )
      assert.strictEqual(parsed.questions.length, 50_000)
      const last = parsed.questions[49_999]!
      assert.strictEqual(last.id, "q50000")
      assert.strictEqual(last.expectedAnswer, "150000")
      assert.deepStrictEqual(last.metadata, { category: "cat6" })
    }))
})
