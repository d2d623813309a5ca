/**
 * The `LlmClient` service over OpenRouter (or any OpenAI-compatible server) with the official
 * `openai` SDK: attribution headers, privacy routing, usage and cost per call, our own retries
 * on the Clock, a 24-hour model list cache, and every SDK failure mapped to an `LlmError`.
 */
import { LlmClient } from "@ml-agents/core"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { Config, ConfigError, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import OpenAI, { APIConnectionTimeoutError, APIUserAbortError } from "openai"
import { type ErrorContext, toLlmError } from "./ErrorMapping.js"
import * as ModelsCache from "./internal/modelsCache.js"
import { nodeFetch } from "./internal/nodeFetch.js"
import { defaultPolicy, retrying, type RetryPolicy } from "./internal/retry.js"
import * as Wire from "./internal/wire.js"

/** The LlmClient service interface this module implements. */
export type Service = LlmClient.LlmClient.Service

/** The identifier of the LlmClient tag, as it appears in layer types. */
export type Identifier = LlmClient.LlmClient

/** OpenRouter's API base URL, the default. */
export const DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"

/** The application name sent as `X-Title` unless configured. */
export const DEFAULT_APP_NAME = "ML-Agents-v2"


/** How long the model list stays cached. */
export const MODELS_CACHE_TTL: Duration.Duration = Duration.hours(24)

/** Options of the OpenRouter client. */
export interface OpenRouterOptions {
  /** The API key; unwrapped only where the SDK client is built. */
  readonly apiKey: Redacted.Redacted<string>
  /** Any OpenAI-compatible base URL (OpenRouter, vLLM, Ollama, the simulator); default OpenRouter's. */
  readonly baseURL?: string | undefined
  /** Per-attempt timeout in milliseconds; default 60 000. */
  readonly timeoutMs?: number | undefined
  /** Retries of recoverable failures after the first attempt; default 3. */
  readonly maxRetries?: number | undefined
  /** Sent as `X-Title`; default "ML-Agents-v2". An empty string sends no attribution headers. */
  readonly appName?: string | undefined
  /** Sent as `HTTP-Referer` when given (APP_URL); no made-up URL is sent otherwise. */
  readonly appUrl?: string | undefined
  /** `"deny"` routes only to providers that do not collect data (`provider.data_collection`). */
  readonly dataCollection?: "allow" | "deny" | undefined
  /** Extra OpenRouter `provider` routing fields (`order`, `require_parameters`, `sort`, …). */
  readonly providerPreferences?: Readonly<Record<string, unknown>> | undefined
  /**
   * Send OpenRouter-only request fields (`usage`, `provider`); default true. Turn off for servers
   * that reject unknown fields.
   */
  readonly openRouterFields?: boolean | undefined
  /** Backoff tuning: base and maximum delay, and the longest Retry-After worth waiting for. */
  readonly retry?: Partial<Omit<RetryPolicy, "maxRetries">> | undefined
  /** How long the model list is cached; default 24 hours. */
  readonly modelsCacheTtl?: Duration.DurationInput | undefined
  /**
   * A fetch implementation for the SDK (proxies, tests); default `nodeFetch`, a lighter one on
   * `node:http` (see `internal/nodeFetch.ts`). Pass `globalThis.fetch` for Node's own.
   */
  readonly fetch?: typeof globalThis.fetch | undefined
}

// Header values must be ByteStrings; anything else would make every request fail in fetch.
const headerSafe = (value: string): string => value.replace(/[^\x20-\x7e\xa0-\xff]/g, "?")

/** The request body's `provider` object for the given options. */
export const providerRouting = (options: Pick<OpenRouterOptions, "dataCollection" | "providerPreferences">): Record<string, unknown> => ({
  ...options.providerPreferences,
  ...(options.dataCollection === undefined ? {} : { data_collection: options.dataCollection })
})

/** Builds the LlmClient service; reads an optional `KeyValueStore` from the context for the model cache. */
export const make = (options: OpenRouterOptions): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const store = yield* Effect.serviceOption(KeyValueStore.KeyValueStore)
    const baseURL = (options.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    const timeoutMs = Math.max(1, Math.round(options.timeoutMs ?? 60_000))
    const policy: RetryPolicy = {
      maxRetries: Math.max(0, Math.floor(options.maxRetries ?? defaultPolicy.maxRetries)),
      baseDelayMs: Math.max(0, options.retry?.baseDelayMs ?? defaultPolicy.baseDelayMs),
      maxDelayMs: Math.max(0, options.retry?.maxDelayMs ?? defaultPolicy.maxDelayMs),
      maxRetryAfterMs: Math.max(0, options.retry?.maxRetryAfterMs ?? defaultPolicy.maxRetryAfterMs)
    }
    const appName = options.appName ?? DEFAULT_APP_NAME
    const defaultHeaders: Record<string, string> = appName === ""
      ? {}
      : {
        "X-Title": headerSafe(appName),
        ...(options.appUrl === undefined ? {} : { "HTTP-Referer": headerSafe(options.appUrl) })
      }

    // The only place the key is unwrapped: the SDK needs it, and the mapper scrubs it from messages.
    const apiKey = Redacted.value(options.apiKey)
    const client = new OpenAI({
      apiKey,
      baseURL,
      timeout: timeoutMs,
      maxRetries: 0,
      defaultHeaders,
      // Explicit nulls keep the SDK from picking up OPENAI_ORG_ID / OPENAI_PROJECT_ID.
      organization: null,
      project: null,
      fetch: options.fetch ?? nodeFetch
    })
    const errorContext = (): ErrorContext => ({ baseURL, secrets: [apiKey], now: Date.now() })

    // The SDK's timeout stops at the response headers of a fetch that streams the body; nodeFetch
    // reads the whole body before it answers, so there the SDK's timeout already covers the call.
    const wholeCallDeadline = options.fetch !== undefined && options.fetch !== nodeFetch

    /**
     * Every SDK call goes through here. The fiber's signal aborts the request on interruption; a
     * deadline over the whole call (when the fetch streams the body) turns a stalled body into a
     * timeout. An abort we did not cause is an interruption, not an error.
     */
    const call = <A>(run: (client: OpenAI, signal: AbortSignal) => Promise<A>): Effect.Effect<A, LlmClient.LlmError> =>
      Effect.tryPromise({
        try: (signal) => {
          if (!wholeCallDeadline) return run(client, signal)
          const controller = new AbortController()
          let timedOut = false
          const timer = setTimeout(() => {
            timedOut = true
            controller.abort()
          }, timeoutMs)
          const onAbort = () => controller.abort()
          signal.addEventListener("abort", onAbort, { once: true })
          return run(client, controller.signal)
            .catch((cause: unknown) => {
              throw timedOut && !signal.aborted ? new APIConnectionTimeoutError() : cause
            })
            .finally(() => {
              clearTimeout(timer)
              signal.removeEventListener("abort", onAbort)
            })
        },
        catch: (cause) => cause
      }).pipe(
        Effect.catchAll((cause) =>
          cause instanceof APIUserAbortError ? Effect.interrupt : Effect.fail(toLlmError(cause, errorContext()))
        )
      )

    const decode = <A>(result: (context: ErrorContext) => Either.Either<A, LlmClient.LlmError>) =>
      Effect.suspend(() => Either.match(result(errorContext()), { onLeft: Effect.fail, onRight: Effect.succeed }))

    const extras: Wire.RequestExtras = {
      openRouterFields: options.openRouterFields ?? true,
      provider: providerRouting(options)
    }

    // Untraced: a span costs about 20 µs, and this runs for every model call of a run.
    const chat = Effect.fnUntraced(function*(request: LlmClient.ChatRequest) {
      const body = Wire.toRequestBody(request, extras) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming
      const [response, attempts] = yield* retrying(
        policy,
        call((sdk, signal) => sdk.chat.completions.create(body, { signal }) as Promise<unknown>).pipe(
          Effect.flatMap((raw) => decode((context) => Wire.toChatResponse(raw, request, context)))
        )
      )
      return { ...response, attempts } satisfies LlmClient.ChatResponse
    })

    const fetchModels = retrying(
      policy,
      call((sdk, signal) => sdk.get<unknown>("/models", { signal }) as Promise<unknown>).pipe(
        Effect.flatMap((raw) => decode((context) => Wire.toModelInfos(raw, context)))
      )
    ).pipe(Effect.map(([models]) => models))

    const listModels = yield* ModelsCache.make({
      fetch: fetchModels,
      ttl: options.modelsCacheTtl ?? MODELS_CACHE_TTL,
      baseURL,
      store
    })

    const keyInfo = retrying(
      policy,
      call((sdk, signal) => sdk.get<unknown>("/key", { signal }) as Promise<unknown>).pipe(
        Effect.flatMap((raw) => decode((context) => Wire.toKeyInfo(raw, context)))
      )
    ).pipe(Effect.map(([info]) => info))

    return {
      chat,
      listModels: listModels.pipe(Effect.withSpan("OpenRouterClient.listModels", { attributes: { baseURL } })),
      keyInfo: keyInfo.pipe(Effect.withSpan("OpenRouterClient.keyInfo", { attributes: { baseURL } }))
    } satisfies Service
  })

/** The LlmClient layer from plain options; provide a `KeyValueStore` to it to persist the model list. */
export const layer = (options: OpenRouterOptions): Layer.Layer<Identifier> =>
  Layer.effect(LlmClient.LlmClient, make(options))

// ---------------------------------------------------------------------------------------------
// Configuration from the environment

/** An optional variable; blank counts as unset, so `.env` templates with `NAME=` keep defaults. */
const optional = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(
    Config.map(Option.flatMap((raw) => (raw.trim() === "" ? Option.none() : Option.some(raw.trim()))))
  )

const parsed = <A>(name: string, parse: (raw: string) => Either.Either<A, string>): Config.Config<Option.Option<A>> =>
  optional(name).pipe(
    Config.mapOrFail(Option.match({
      onNone: () => Either.right(Option.none<A>()),
      onSome: (raw) =>
        Either.match(parse(raw), {
          onLeft: (problem) => Either.left(ConfigError.InvalidData([name], `${name} ${problem}, got ${JSON.stringify(raw)}`)),
          onRight: (value) => Either.right(Option.some(value))
        })
    }))
  )

const httpUrl = (raw: string): Either.Either<string, string> => {
  try {
    const url = new URL(raw)
    return url.protocol === "http:" || url.protocol === "https:" ? Either.right(raw) : Either.left("must be an http(s) URL")
  } catch {
    return Either.left("must be an http(s) URL")
  }
}

const headerText = (raw: string): Either.Either<string, string> =>
  /^[\x20-\x7e\xa0-\xff]*$/.test(raw) ? Either.right(raw) : Either.left("must contain only Latin-1 characters (it is sent as an HTTP header)")

/** The client options read from the environment (`OPENROUTER_*`, `APP_NAME`, `APP_URL`). */
export const config: Config.Config<OpenRouterOptions> = Config.all({
  apiKey: Config.redacted("OPENROUTER_API_KEY").pipe(
    Config.validate({
      message: "OPENROUTER_API_KEY must not be empty",
      validation: (key) => Redacted.value(key).trim() !== ""
    })
  ),
  baseURL: parsed("OPENROUTER_BASE_URL", httpUrl),
  timeoutSeconds: parsed("OPENROUTER_TIMEOUT", (raw) => {
    const n = Number(raw)
    return Number.isFinite(n) && n > 0 ? Either.right(n) : Either.left("must be a positive number of seconds")
  }),
  maxRetries: parsed("OPENROUTER_MAX_RETRIES", (raw) =>
    /^\d+$/.test(raw) && Number(raw) <= 10 ? Either.right(Number(raw)) : Either.left("must be an integer from 0 to 10")),
  appName: parsed("APP_NAME", headerText),
  appUrl: parsed("APP_URL", (raw) => Either.flatMap(httpUrl(raw), headerText)),
  dataCollection: parsed("OPENROUTER_DATA_COLLECTION", (raw) => {
    const value = raw.toLowerCase()
    return value === "allow" || value === "deny"
      ? Either.right<"allow" | "deny">(value)
      : Either.left(`must be "allow" or "deny"`)
  })
}).pipe(
  Config.map((env): OpenRouterOptions => ({
    apiKey: env.apiKey,
    baseURL: Option.getOrElse(env.baseURL, () => DEFAULT_BASE_URL),
    timeoutMs: Math.round(Option.getOrElse(env.timeoutSeconds, () => 60) * 1000),
    maxRetries: Option.getOrElse(env.maxRetries, () => 3),
    appName: Option.getOrElse(env.appName, () => DEFAULT_APP_NAME),
    appUrl: Option.getOrUndefined(env.appUrl),
    dataCollection: Option.getOrUndefined(env.dataCollection)
  }))
)

/**
 * The LlmClient layer from Config values, as Effect's own packages take them: by default the
 * environment's (`config` above), or any `Config` of the options (e.g. `Config.all({ apiKey:
 * Config.redacted("MY_KEY"), ... })`). Bad values fail with a ConfigError naming the variable.
 */
export const layerConfig = (
  options: Config.Config.Wrap<OpenRouterOptions> = config
): Layer.Layer<Identifier, ConfigError.ConfigError> => Layer.unwrapEffect(Effect.map(Config.unwrap(options), layer))
