/**
 * The `fetch` the SDK uses by default: one request on `node:http`/`node:https` through a
 * keep-alive agent, its whole body read, answered as a standard `Response`.
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
          const headers = new Headers()
          const raw = response.rawHeaders
          for (let i = 0; i + 1 < raw.length; i += 2) {
            // The body below is already decoded: its encoding and length no longer apply.
            const name = raw[i]!.toLowerCase()
            if (name !== "content-encoding" && name !== "content-length") headers.append(raw[i]!, raw[i + 1]!)
          }
          const nullBody = status === 204 || status === 205 || status === 304 || options.method === "HEAD"
          resolve(
            new Response(nullBody ? null : decoded(Buffer.concat(chunks), response.headers["content-encoding"]), {
              status,
              statusText: response.statusMessage ?? "",
              headers
            })
          )
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
