/**
 * The `fetch` the SDK uses by default: one request on `node:http`/`node:https` through a
 * keep-alive agent, its whole body read, answered with a `Reply` that reads as a `Response`.
 *
 * Why not the global fetch: Node's fetch (undici) costs about a millisecond of CPU per request in
 * WHATWG streams, `Request` objects and signal plumbing, which at high concurrency made the HTTP
 * client, not the model, the bottleneck of a run (`pnpm bench overhead`). This one does less
 * (no streaming, no redirects, no cookies: the OpenRouter API needs none of them) and measured
 * about 35% less CPU per request through the SDK.
 *
 * A request that fails because the server closed the kept-alive socket it went out on (before any
 * reply) is sent again once on a new connection, as browsers do.
 *
 * The reply is a `Reply`, not a WHATWG `Response`: building a `Response` over a body already in
 * memory still makes a ReadableStream and a sorted `Headers` for it, and the SDK then formats
 * those headers for its debug log on every call, log level off or not. `Reply` has what the SDK
 * (and anyone else holding it as a `Response`) reads: `status`, `statusText`, `ok`, `url`,
 * `headers` (read-only: `get`, `has`, `forEach`, `entries`, `keys`, `values`), `text()`,
 * `json()`, `arrayBuffer()` and `blob()` (each once, as fetch allows), `body` (a stream, made
 * only if asked for; once it is, the body is read from it only) and `clone()`. One visible
 * difference: its headers are not a `Headers`, so the SDK's own debug log (`OPENAI_LOG=debug`)
 * prints a reply's headers as `{}`.
 *
 * What it keeps of fetch's contract, as the SDK relies on it: an aborted signal rejects with an
 * `AbortError` (the SDK reads that as its timeout or a user abort); a network failure rejects
 * with the system error (the SDK reports it as a connection error); gzip, deflate and brotli
 * bodies are decoded; and since the body is read before the promise resolves, the SDK's timeout
 * covers the whole reply, not only its headers.
 * @internal
 */
import * as http from "node:http"
import * as https from "node:https"
import * as zlib from "node:zlib"

// Idle sockets are closed after 4 s, as Node's own fetch does: servers commonly drop idle
// connections after 5 s, and a request sent on a socket the server is closing fails. (The
// timeout applies only to idle sockets here; a request waiting on a slow reply is not cut.)
const IDLE_MS = 4_000
const agents = {
  http: new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  https: new https.Agent({ keepAlive: true, timeout: IDLE_MS })
}

/** The server closed a kept-alive socket just as the request went out on it: safe to resend once. */
const isStaleSocket = (request: http.ClientRequest, error: NodeJS.ErrnoException, answered: boolean) =>
  request.reusedSocket && !answered && (error.code === "ECONNRESET" || error.code === "EPIPE")

const abortError = (signal: AbortSignal): Error => {
  const reason: unknown = signal.reason
  const error = new Error(reason instanceof Error ? reason.message : "This operation was aborted")
  error.name = "AbortError"
  return error
}

const headersOf = (init: RequestInit["headers"]): Record<string, string> => {
  const out: Record<string, string> = {}
  if (init === undefined) return out
  // The SDK passes a Headers: read it as it is rather than copy it into another one.
  ;(init instanceof Headers ? init : new Headers(init)).forEach((value, name) => {
    out[name] = value
  })
  return out
}

const decoded = (body: Buffer, encoding: string | undefined): Buffer => {
  switch (encoding?.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return zlib.gunzipSync(body)
    case "deflate":
      return zlib.inflateSync(body)
    case "br":
      return zlib.brotliDecompressSync(body)
    default:
      return body
  }
}

const bodyOf = (body: RequestInit["body"]): string | Uint8Array | undefined => {
  if (body === null || body === undefined) return undefined
  if (typeof body === "string" || body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  throw new TypeError("nodeFetch sends only string or byte bodies")
}

/** A reply's headers, read-only, by lower-case name; repeated headers are joined by ", ". */
export class ReplyHeaders implements Iterable<[string, string]> {
  readonly #map: Map<string, string>
  constructor(map: Map<string, string>) {
    this.#map = map
  }
  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null
  }
  has(name: string): boolean {
    return this.#map.has(name.toLowerCase())
  }
  forEach(f: (value: string, name: string, headers: ReplyHeaders) => void): void {
    for (const [name, value] of this.entries()) f(value, name, this)
  }
  /** In name order, as `Headers` iterates. */
  entries(): IterableIterator<[string, string]> {
    return [...this.#map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).values()
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()
  }
  get [Symbol.toStringTag]() {
    return "Headers"
  }
}

const replyHeaders = (raw: ReadonlyArray<string>): ReplyHeaders => {
  const map = new Map<string, string>()
  for (let i = 0; i + 1 < raw.length; i += 2) {
    // The body is already decoded: its encoding and length no longer apply.
    const name = raw[i]!.toLowerCase()
    if (name === "content-encoding" || name === "content-length") continue
    const before = map.get(name)
    map.set(name, before === undefined ? raw[i + 1]! : `${before}, ${raw[i + 1]!}`)
  }
  return new ReplyHeaders(map)
}

/** A reply whose body is already in memory; see the module comment. */
export class Reply {
  readonly ok: boolean
  readonly redirected = false
  readonly type = "basic"
  #body: Buffer | null
  #used = false
  #stream: ReadableStream<Uint8Array> | null | undefined
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: ReplyHeaders,
    body: Buffer | null,
    readonly url: string
  ) {
    this.ok = status >= 200 && status <= 299
    this.#body = body
  }
  get bodyUsed(): boolean {
    return this.#used
  }
  /** The body as a stream, made on first access; after that the body is read from the stream only. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) this.#stream = this.#body === null ? null : new Response(this.#body).body
    return this.#stream
  }
  /** Read already, or handed out as a stream. */
  get #consumed(): boolean {
    return this.#used || (this.#stream ?? null) !== null
  }
  #take(): Buffer | null {
    if (this.#consumed) throw new TypeError("Body is unusable: Body has already been read")
    this.#used = this.#body !== null
    return this.#body
  }
  text(): Promise<string> {
    return this.#read((bytes) => bytes?.toString("utf8") ?? "")
  }
  json(): Promise<unknown> {
    return this.#read((bytes) => JSON.parse(bytes?.toString("utf8") ?? ""))
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#read((bytes) => {
      const copy = new Uint8Array(bytes?.length ?? 0)
      if (bytes !== null) copy.set(bytes)
      return copy.buffer
    })
  }
  blob(): Promise<Blob> {
    return this.#read((bytes) => new Blob(bytes === null ? [] : [bytes], { type: this.headers.get("content-type") ?? "" }))
  }
  clone(): Reply {
    if (this.#consumed) throw new TypeError("Response.clone: Body has already been consumed.")
    return new Reply(this.status, this.statusText, this.headers, this.#body, this.url)
  }
  #read<A>(f: (bytes: Buffer | null) => A): Promise<A> {
    try {
      return Promise.resolve(f(this.#take()))
    } catch (error) {
      return Promise.reject(error)
    }
  }
}

/** A `fetch` for the SDK on `node:http`; see the module comment. */
export const nodeFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> =>
  send(input, init, true)

const send = (input: string | URL | Request, init: RequestInit, mayResend: boolean): Promise<Response> =>
  new Promise<Response>((resolve, reject) => {
    if (typeof input !== "string" && !(input instanceof URL)) {
      reject(new TypeError("nodeFetch takes a URL and options, not a Request"))
      return
    }
    const url = new URL(input)
    const secure = url.protocol === "https:"
    if (!secure && url.protocol !== "http:") {
      reject(new TypeError(`nodeFetch: unsupported protocol ${url.protocol}`))
      return
    }
    const signal = init.signal ?? undefined
    if (signal?.aborted) {
      reject(abortError(signal))
      return
    }
    let body: string | Uint8Array | undefined
    try {
      body = bodyOf(init.body)
    } catch (error) {
      reject(error)
      return
    }
    const options: http.RequestOptions = {
      method: init.method ?? "GET",
      headers: headersOf(init.headers),
      agent: secure ? agents.https : agents.http
    }
    let answered = false
    const onAbort = () => request.destroy(abortError(signal!))
    const done = () => signal?.removeEventListener("abort", onAbort)
    const request = (secure ? https : http).request(url, options, (response) => {
      answered = true
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("error", (error) => {
        done()
        reject(error)
      })
      response.on("end", () => {
        done()
        try {
          const status = response.statusCode ?? 0
          const nullBody = status === 204 || status === 205 || status === 304 || options.method === "HEAD"
          const body = nullBody ? null : decoded(Buffer.concat(chunks), response.headers["content-encoding"])
          const reply = new Reply(status, response.statusMessage ?? "", replyHeaders(response.rawHeaders), body, url.href)
          resolve(reply as unknown as Response)
        } catch (error) {
          reject(error)
        }
      })
    })
    request.on("error", (error: NodeJS.ErrnoException) => {
      done()
      if (mayResend && !signal?.aborted && isStaleSocket(request, error, answered)) {
        resolve(send(input, init, false))
      } else {
        reject(error)
      }
    })
    signal?.addEventListener("abort", onAbort, { once: true })
    request.end(body)
  })
