/**
 * The strict CSV parser: what RFC 4180 allows, what it refuses, and the line numbers it reports.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as Csv from "../src/Csv.js"

const ok = (text: string): Csv.CsvDocument => {
  const result = Csv.parse(text)
  if (Either.isLeft(result)) assert.fail(`expected success, got: ${result.left.message}`)
  return result.right
}

const err = (text: string): Csv.CsvError => {
  const result = Csv.parse(text)
  if (Either.isRight(result)) assert.fail(`expected a CsvError, got ${JSON.stringify(result.right)}`)
  return result.left
}

const fields = (doc: Csv.CsvDocument) => doc.rows.map((row) => row.fields)
const lines = (doc: Csv.CsvDocument) => doc.rows.map((row) => row.line)

describe("Csv.parse", () => {
  it("parses LF files", () => {
    const doc = ok("a,b\n1,2\n3,4\n")
    assert.deepStrictEqual(doc.header, { line: 1, fields: ["a", "b"] })
    assert.deepStrictEqual(fields(doc), [["1", "2"], ["3", "4"]])
    assert.deepStrictEqual(lines(doc), [2, 3])
  })

  it("parses CRLF files without leaving CRs in the fields", () => {
    const doc = ok("a,b\r\n1,2\r\n3,4\r\n")
    assert.deepStrictEqual(doc.header.fields, ["a", "b"])
    assert.deepStrictEqual(fields(doc), [["1", "2"], ["3", "4"]])
    assert.deepStrictEqual(lines(doc), [2, 3])
  })

  it("accepts a missing final newline", () => {
    assert.deepStrictEqual(fields(ok("a,b\n1,2")), [["1", "2"]])
    assert.deepStrictEqual(fields(ok("a,b\r\n1,\"2\"")), [["1", "2"]])
    assert.deepStrictEqual(fields(ok("a,b\n1,")), [["1", ""]])
  })

  it("skips trailing and interior blank lines, keeping line numbers physical", () => {
    const doc = ok("a,b\n1,2\n\n3,4\n\n\r\n\n")
    assert.deepStrictEqual(fields(doc), [["1", "2"], ["3", "4"]])
    assert.deepStrictEqual(lines(doc), [2, 4])
    assert.strictEqual(ok("\n\na,b\n1,2\n").header.line, 3)
  })

  it("keeps empty fields, quoted or not", () => {
    assert.deepStrictEqual(fields(ok("a,b,c\n,,\n\"\",x,\"\"\n")), [["", "", ""], ["", "x", ""]])
  })

  it("keeps commas inside quoted fields", () => {
    assert.deepStrictEqual(fields(ok("a,b\n\"x, y\",\"1,2,3\"\n")), [["x, y", "1,2,3"]])
  })

  it("keeps LF and CRLF newlines inside quoted fields, and a lone CR as data", () => {
    assert.deepStrictEqual(fields(ok("a,b\n\"one\ntwo\",x\n")), [["one\ntwo", "x"]])
    assert.deepStrictEqual(fields(ok("a,b\r\n\"one\r\ntwo\",x\r\n")), [["one\r\ntwo", "x"]])
    assert.deepStrictEqual(fields(ok("a,b\n\"one\rtwo\",x\n")), [["one\rtwo", "x"]])
  })

  it("turns doubled quotes into one quote", () => {
    assert.deepStrictEqual(
      fields(ok("a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n")),
      [["say \"hi\"", "\""]]
    )
  })

  it("strips a leading BOM (only at the start)", () => {
    const doc = ok("\uFEFFINPUT,OUTPUT\n1,2\n")
    assert.deepStrictEqual(doc.header.fields, ["INPUT", "OUTPUT"])
    assert.deepStrictEqual(fields(ok("a,b\n\uFEFFx,y\n")), [["\uFEFFx", "y"]])
  })

  it("counts lines correctly after multi-line quoted fields", () => {
    const text = [
      "id,text", // 1
      "1,\"first", // 2
      "second", // 3
      "third\"", // 4
      "2,plain", // 5
      "3,\"a\r", // 6 (CRLF inside quotes)
      "b\"\"\"", // 7 (ends with an escaped quote, then the closing one)
      "", // 8 blank
      "4,\"x\"" // 9
    ].join("\n")
    const doc = ok(text)
    assert.deepStrictEqual(lines(doc), [2, 5, 6, 9])
    assert.deepStrictEqual(fields(doc)[2], ["3", "a\r\nb\""])
    // An error after those rows still points at the right physical line.
    const e = err(text + "\n5,\"y\"z\n")
    assert.strictEqual(e.line, 10)
    assert.strictEqual(e.column, 6)
  })

  it("reports an unterminated quoted field at the line where it opened", () => {
    const e = err("a,b\n1,2\n3,\"never\nclosed\nat all\n")
    assert.strictEqual(e._tag, "CsvError")
    assert.strictEqual(e.reason, "UnterminatedQuote")
    assert.strictEqual(e.line, 3)
    assert.strictEqual(e.column, 3)
    assert.match(e.message, /^line 3, column 3: /)
  })

  it("refuses a quote inside an unquoted field", () => {
    const e = err("a,b\n1,2\nab\"c,d\n")
    assert.strictEqual(e.reason, "QuoteInUnquotedField")
    assert.strictEqual(e.line, 3)
    assert.strictEqual(e.column, 3)
  })

  it("refuses text after a closing quote", () => {
    const e = err("a,b\r\n1,\"x\" y\r\n")
    assert.strictEqual(e.reason, "TextAfterClosingQuote")
    assert.strictEqual(e.line, 2)
    assert.strictEqual(e.column, 6)
    // A space before the separator counts as junk too: the parser is strict.
    assert.strictEqual(err("a,b\n\"x\" ,y\n").reason, "TextAfterClosingQuote")
  })

  it("refuses a record with the wrong field count, naming the line and both counts", () => {
    const e = err("a,b,c\n1,2,3\n\"multi\nline\",2,3\n1,2\n")
    assert.strictEqual(e.reason, "FieldCount")
    assert.strictEqual(e.line, 5)
    assert.strictEqual(e.column, undefined)
    assert.include(e.message, "line 5")
    assert.include(e.message, "2 fields")
    assert.include(e.message, "header has 3")
    assert.strictEqual(err("a,b\n1,2,3\n").line, 2)
  })

  it("refuses a bare CR outside quotes", () => {
    const e = err("a,b\r1,2\r")
    assert.strictEqual(e.reason, "BareCarriageReturn")
    assert.strictEqual(e.line, 1)
  })

  it("refuses a text without any record", () => {
    assert.strictEqual(err("").reason, "EmptyDocument")
    assert.strictEqual(err("\uFEFF\n\r\n").reason, "EmptyDocument")
  })

  it("parses 50,000 rows of a few hundred bytes quickly", () => {
    const filler = "lorem ipsum dolor sit amet ".repeat(8)
    const parts = ["ID,INPUT,OUTPUT,category\n"]
    for (let i = 1; i <= 50_000; i++) {
      parts.push(`q${i},"Question ${i}, ""quoted""\n${filler}",${i},${filler}\n`)
    }
    const text = parts.join("")
    const start = performance.now()
    const doc = ok(text)
    console.log(`Csv.parse: 50,000 rows, ${(text.length / 1e6).toFixed(1)} MB in ${(performance.now() - start).toFixed(0)} ms`)
    assert.strictEqual(doc.rows.length, 50_000)
    assert.strictEqual(doc.rows[49_999]!.line, 100_000)
    assert.strictEqual(doc.rows[49_999]!.fields[1], `Question 50000, "quoted"\n${filler}`)
  })
})
