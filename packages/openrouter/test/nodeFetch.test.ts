/**
 * The SDK's default fetch on `node:http`, against a real server on 127.0.0.1: what the SDK relies
 * on of fetch's contract (status, headers, bodies, compression, aborts, network errors).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as zlib from "node:zlib"
import { nodeFetch } from "../src/internal/nodeFetch.js"

let server: http.Server
let base: string
const seen: Array<{ method: string; headers: http.IncomingHttpHeaders; body: string }> = []

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = ""
    req.on("data", (c) => (body += c))
    req.on("end", () => {
      seen.push({ method: req.method ?? "", headers: req.headers, body })
      const json = JSON.stringify({ echo: body, path: req.url })
      if (req.url === "/gzip") {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(zlib.gzipSync(json))
      } else if (req.url === "/br") {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "br" }).end(zlib.brotliCompressSync(json))
      } else if (req.url === "/429") {
        res.writeHead(429, { "retry-after": "7", "x-ratelimit-reset": "123" }).end('{"error":{"message":"slow down"}}')
      } else if (req.url === "/204") {
        res.writeHead(204).end()
      } else if (req.url === "/hang") {
        res.writeHead(200, { "content-type": "application/json" })
        res.write('{"partial":')
      } else {
        res.writeHead(200, { "content-type": "application/json" }).end(json)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe("nodeFetch", () => {
  it("sends the method, headers and body; answers with status, headers and body as a Response does", async () => {
    const response = await nodeFetch(`${base}/chat`, {
      method: "POST",
      headers: new Headers({ authorization: "Bearer k", "content-type": "application/json" }),
      body: '{"q":1}'
    })
    expect(response.status).toBe(200)
    expect(response.statusText).toBe("OK")
    expect(response.ok).toBe(true)
    expect(response.url).toBe(`${base}/chat`)
    expect(response.headers.get("Content-Type")).toBe("application/json")
    expect(response.headers.has("content-type")).toBe(true)
    expect(response.bodyUsed).toBe(false)
    expect(await response.json()).toEqual({ echo: '{"q":1}', path: "/chat" })
    expect(response.bodyUsed).toBe(true)
    // As fetch: a body is read once.
    await expect(response.text()).rejects.toThrow(TypeError)
    const last = seen.at(-1)!
    expect(last.method).toBe("POST")
    expect(last.headers.authorization).toBe("Bearer k")
  })

  it("reads the body as text, bytes, a blob, a stream or a clone, and lists headers in name order", async () => {
    const reply = () => nodeFetch(`${base}/429`)
    const expected = '{"error":{"message":"slow down"}}'
    const first = await reply()
    const copy = first.clone()
    expect(await first.text()).toBe(expected)
    expect(new TextDecoder().decode(await copy.arrayBuffer())).toBe(expected)
    expect(() => first.clone()).toThrow(TypeError)
    expect(await (await (await reply()).blob()).text()).toBe(expected)
    const streamed = await reply()
    expect(await new Response(streamed.body).text()).toBe(expected)
    await expect(streamed.json()).rejects.toThrow(TypeError)
    const names = [...first.headers].map(([name]) => name)
    expect(names).toEqual([...names].sort())
    expect(names).toEqual(expect.arrayContaining(["retry-after", "x-ratelimit-reset"]))
    expect([...first.headers.keys()]).toEqual(names)
    const seenByForEach: Array<string> = []
    first.headers.forEach((value, name) => seenByForEach.push(`${name}=${value}`))
    expect(seenByForEach).toContain("retry-after=7")
  })

  it("keeps error statuses and their headers (Retry-After) for the SDK to map", async () => {
    const response = await nodeFetch(`${base}/429`, { headers: { accept: "application/json" } })
    expect(response.status).toBe(429)
    expect(response.headers.get("retry-after")).toBe("7")
    expect(response.headers.get("x-ratelimit-reset")).toBe("123")
    expect(await response.text()).toContain("slow down")
  })

  it("decodes gzip and brotli bodies", async () => {
    expect(await (await nodeFetch(`${base}/gzip`)).json()).toEqual({ echo: "", path: "/gzip" })
    const br = await nodeFetch(`${base}/br`)
    expect(br.headers.get("content-encoding")).toBeNull()
    expect(await br.json()).toEqual({ echo: "", path: "/br" })
  })

  it("a 204 has no body", async () => {
    const response = await nodeFetch(`${base}/204`, { method: "DELETE" })
    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
  })

  it("an abort, before or during the request (body still arriving), rejects with an AbortError", async () => {
    const already = new AbortController()
    already.abort()
    await expect(nodeFetch(`${base}/chat`, { signal: already.signal })).rejects.toMatchObject({ name: "AbortError" })
    const controller = new AbortController()
    const pending = nodeFetch(`${base}/hang`, { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await expect(pending).rejects.toMatchObject({ name: "AbortError" })
  })

  it("a refused connection rejects with the system error", async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await expect(nodeFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: "ECONNREFUSED" })
  })

  it("a request whose kept-alive socket the server closed (no reply) is sent again once on a new connection", async () => {
    const perSocket = new WeakMap<object, number>()
    let requests = 0
    const flaky = http.createServer((req, res) => {
      requests++
      const n = (perSocket.get(req.socket) ?? 0) + 1
      perSocket.set(req.socket, n)
      // The second request on any socket finds it closed, as when a server drops an idle connection.
      if (n > 1) req.socket.destroy()
      else req.resume().on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'))
    })
    await new Promise<void>((resolve) => flaky.listen(0, "127.0.0.1", resolve))
    const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/`
    try {
      expect(await (await nodeFetch(url, { method: "POST", body: "{}" })).json()).toEqual({ ok: true })
      expect(await (await nodeFetch(url, { method: "POST", body: "{}" })).json()).toEqual({ ok: true })
      expect(requests).toBe(3) // the second went out on the kept socket, was cut, and was sent again
    } finally {
      flaky.closeAllConnections()
      await new Promise((resolve) => flaky.close(resolve))
    }
  })

  it("a reply slower than the idle-socket timeout (4 s) is waited for, not cut", async () => {
    const slow = http.createServer((req, res) => {
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"slow":true}'), 4_500)
    })
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve))
    try {
      const response = await nodeFetch(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/`)
      expect(await response.json()).toEqual({ slow: true })
    } finally {
      slow.closeAllConnections()
      await new Promise((resolve) => slow.close(resolve))
    }
  }, 15_000)

  it("refuses a Request object (its method, headers and body would be lost)", async () => {
    await expect(nodeFetch(new Request(`${base}/chat`, { method: "POST", body: "x" }))).rejects.toThrow(/not a Request/)
  })

  it("refuses protocols other than http and https", async () => {
    await expect(nodeFetch("file:///etc/passwd")).rejects.toThrow(/unsupported protocol/)
  })
})
