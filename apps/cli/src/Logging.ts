/**
 * Structured logs on stderr: one JSON object per line, or readable lines with DEBUG_MODE. The
 * terminal's stdout belongs to the command's output, so logs never mix into tables. The API key
 * is scrubbed from every line as a last line of defence.
 */
import { Cause, HashMap, Layer, Logger, LogLevel } from "effect"
import { type AppConfig, apiKey } from "./AppConfig.js"
import { printAbove } from "./StatusLine.js"

const levels = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  none: LogLevel.None
} as const

/** The logger layer for a configuration. */
export const layer = (config: AppConfig, override?: AppConfig["logLevel"]) => {
  const secret = apiKey(config)
  const scrub = (s: string) => (secret !== null && secret.length > 0 ? s.split(secret).join("***") : s)
  const logger = Logger.make(({ annotations, cause, date, logLevel, message }) => {
    const text = (Array.isArray(message) ? message : [message])
      .map((m) => (typeof m === "string" ? m : JSON.stringify(m)))
      .join(" ")
    const fields = Object.fromEntries(HashMap.toEntries(annotations))
    const error = Cause.isEmpty(cause) ? undefined : Cause.pretty(cause)
    const line = config.debugMode
      ? `${date.toISOString()} ${logLevel.label.padEnd(7)} ${text}` +
        Object.entries(fields).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`).join("") +
        (error ? `\n${error}` : "")
      : JSON.stringify({ time: date.toISOString(), level: logLevel.label, message: text, ...fields, ...(error ? { error } : {}) })
    // Above the live progress bar, if one is drawn, never over it.
    printAbove(scrub(line))
  })
  return Layer.merge(
    Logger.replace(Logger.defaultLogger, logger),
    Logger.minimumLogLevel(levels[override ?? config.logLevel])
  )
}
