// The floor of the harness benchmark: a bare fetch worker pool that sends N chat completions with
// concurrency C to the simulator, and nothing else (no agent, no grading, no database). Prints the
// elapsed milliseconds. Usage: node floor.mjs <baseUrl> <key> <C> <questionsFile.json>
import * as fs from "node:fs"

const [url, key, c, file] = process.argv.slice(2)
const questions = JSON.parse(fs.readFileSync(file, "utf8"))
const concurrency = Number(c)
let next = 0
const started = performance.now()
const worker = async () => {
  while (next < questions.length) {
    const q = questions[next++]
    const response = await fetch(`${url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "system", content: "Answer the question directly." }, { role: "user", content: q }],
        temperature: 0.1,
        max_tokens: 800
      })
    })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    await response.json()
  }
}
await Promise.all(Array.from({ length: concurrency }, worker))
console.log(Math.round(performance.now() - started))
