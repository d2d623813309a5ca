/**
 * `ml-agents health`: is the database usable (SQLite or the PostgreSQL server, and its schema
 * version), is the API key valid and how many credits are left, which benchmarks are there. Exit 0
 * when healthy, 4 when the key is rejected, 1 otherwise.
 */
import { Command } from "@effect/cli"
import { BenchmarkRepository, EvaluationRepository, LlmClient } from "@ml-agents/core"
import { OpenRouterClient } from "@ml-agents/openrouter"
import { Effect, Either, Option } from "effect"
import { AppContext } from "../AppContext.js"
import * as BenchmarkFiles from "../BenchmarkFiles.js"
import * as DataLocation from "../DataLocation.js"
import { ExitCode, ExitWith } from "../Errors.js"
import { StorageInfo } from "../Storage.js"
import * as Output from "../Output.js"
import * as Scripting from "../Scripting.js"
import * as Ui from "../Ui.js"

type Check = { readonly name: string; readonly ok: boolean; readonly detail: string; readonly hint?: string }

/** `ml-agents health`. */
export const command = Command.make("health", { json: Scripting.json }, ({ json }) =>
  Effect.gen(function*() {
    const { config } = yield* AppContext
    const checks: Array<Check> = []
    let authFailed = false

    const storage = yield* StorageInfo
    const db = yield* Effect.either(
      Effect.all({
        status: storage.status,
        benchmarks: (yield* BenchmarkRepository.BenchmarkRepository).list,
        evaluations: (yield* EvaluationRepository.EvaluationRepository).list()
      })
    )
    checks.push({ name: "configuration", ok: true, detail: DataLocation.configurationText(config) })
    if (Either.isRight(db)) {
      const { benchmarks, evaluations, status } = db.right
      // Migrations run on start, so an older schema cannot remain; a newer one was written by a
      // newer ml-agents, whose tables this version may not understand.
      const newer = status.schemaVersion > status.latestVersion
      checks.push({
        name: "database",
        ok: !newer,
        detail: `${DataLocation.databaseText(config)} — ${status.server}, schema v${status.schemaVersion}` +
          `${newer ? ` (this ml-agents knows up to v${status.latestVersion})` : " (up to date)"}` +
          `; ${benchmarks.length} benchmarks, ${evaluations.length} evaluations`,
        ...(newer ? { hint: "a newer ml-agents migrated this database: upgrade ml-agents before using it" } : {})
      })
    } else {
      checks.push({ name: "database", ok: false, detail: `${DataLocation.databaseText(config)} — ${db.left.message}`, hint: "check DATABASE_URL" })
    }

    if (Option.isNone(config.openrouter)) {
      checks.push({
        name: "openrouter",
        ok: false,
        detail: "OPENROUTER_API_KEY is not set",
        hint: "set OPENROUTER_API_KEY in the environment or .env (get a key at https://openrouter.ai/keys)"
      })
    } else {
      const baseUrl = config.openrouter.value.baseURL ?? OpenRouterClient.DEFAULT_BASE_URL
      const llm = yield* LlmClient.LlmClient
      const key = yield* Effect.either(llm.keyInfo)
      if (Either.isRight(key)) {
        const k = key.right
        const credits = k.limitRemainingUsd !== null
          ? `${Ui.usd(k.limitRemainingUsd)} left of ${Ui.usd(k.limitUsd)}`
          : `no spending limit${k.usageUsd !== null ? `, ${Ui.usd(k.usageUsd)} used` : ""}`
        const out = k.limitRemainingUsd !== null && k.limitRemainingUsd <= 0
        checks.push({
          name: "openrouter",
          ok: !out,
          detail: `${baseUrl} — key valid${k.label ? ` (${k.label})` : ""}, ${credits}`,
          ...(out ? { hint: "add credits at https://openrouter.ai/settings/credits" } : {})
        })
      } else {
        authFailed = key.left.category === "authentication_error"
        checks.push({
          name: "openrouter",
          ok: false,
          detail: `${baseUrl} — ${key.left.message}`,
          hint: authFailed ? "check OPENROUTER_API_KEY" : "check OPENROUTER_BASE_URL and your network"
        })
      }
    }

    const files = BenchmarkFiles.available(config.benchmarkDirs)
    const imported = Either.isRight(db) ? db.right.benchmarks.map((b) => b.name) : []
    checks.push({
      name: "benchmarks",
      ok: imported.length > 0,
      detail: `${imported.length} imported${imported.length > 0 ? ` (${imported.slice(0, 6).join(", ")}${imported.length > 6 ? ", …" : ""})` : ""}; ${files.length} importable by name`,
      ...(imported.length === 0 ? { hint: "import one with: ml-agents benchmark import SAMPLE_MC" } : {})
    })

    const healthy = checks.every((c) => c.ok || c.name === "benchmarks")
    if (json) yield* Output.json({ healthy, checks })
    const width = Math.max(...checks.map((c) => c.name.length))
    for (const check of json ? [] : checks) {
      const mark = check.ok ? Ui.style.green("✓") : check.name === "benchmarks" ? Ui.style.yellow("⚠") : Ui.style.red("✗")
      yield* Ui.print(`${mark} ${check.name.padEnd(width)}  ${check.detail}`)
      if (!check.ok && check.hint) yield* Ui.print(`  ${" ".repeat(width)}  ${Ui.style.dim("→ " + check.hint)}`)
    }
    if (!healthy) return yield* new ExitWith({ code: authFailed ? ExitCode.auth : ExitCode.general })
  })
).pipe(Command.withDescription("Check the database, the OpenRouter key and credits, and the benchmarks"))
