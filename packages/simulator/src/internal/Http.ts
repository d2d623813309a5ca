/**
 * Small node:http helpers: bounded body reading and JSON replies in OpenRouter's error shape.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { STATUS_CODES } from "node:http"

/** Marker for a request body over the size limit. */
export const TOO_LARGE: unique symbol = Symbol("TooLarge")

/**
 * Reads a request body up to `limit` bytes. An oversized body is drained and discarded (so the
 * client gets a clean 413 instead of a reset connection); `null` when the client went away.
 */
export const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | typeof TOO_LARGE | null> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let over = false
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (over) return
      if (size > limit) {
        over = true
        chunks.length = 0
        return
      }
      chunks.push(chunk)
    })
    req.on("end", () => {
      if (over) resolve(TOO_LARGE)
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
    })
    req.on("error", () => resolve(null))
    req.on("close", () => resolve(null))
  })

/** Whether the response can still be written (the client has not gone away, nothing was sent). */
export const writable = (res: ServerResponse): boolean => !res.headersSent && !res.destroyed && !res.writableEnded

/** Sends a pre-serialised JSON body. */
export const sendRaw = (
  res: ServerResponse,
  status: number,
  body: string,
  headers?: Record<string, string>
): void => {
  if (!writable(res)) return
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...headers
  })
  res.end(body)
}

/** Sends a JSON value. */
export const sendJson = (res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void =>
  sendRaw(res, status, JSON.stringify(value), headers)

/** Sends OpenRouter's error body `{"error":{"code":<status>,"message":...}}` with the same HTTP status. */
export const sendError = (
  res: ServerResponse,
  status: number,
  message?: string,
  headers?: Record<string, string>
): void => sendJson(res, status, { error: { code: status, message: message ?? STATUS_CODES[status] ?? `HTTP ${status}` } }, headers)
