/**
 * `ml-agents agents list`: the built-in agents and the installed plugins, with their parameters
 * and the defaults an evaluation would get (agent schema defaults under the *_AGENT_DEFAULTS
 * configuration).
 */
import { Command } from "@effect/cli"
import { Agent, AgentConfig } from "@ml-agents/core"
import { Context, Effect } from "effect"
import { AppContext } from "../AppContext.js"
import type { LoadedAgent } from "../Plugins.js"
import * as Scripting from "../Scripting.js"
import * as Ui from "../Ui.js"

/** The agents this process knows, with where each came from. */
export class LoadedAgents extends Context.Tag("@ml-agents/cli/LoadedAgents")<LoadedAgents, ReadonlyArray<LoadedAgent>>() {}

const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value))

const listCommand = Command.make("list", { json: Scripting.json }, ({ json }) =>
  Effect.gen(function*() {
    const { config } = yield* AppContext
    const loaded = yield* LoadedAgents
    const lines: Array<string> = []
    const described: Array<unknown> = []
    for (const { agent, source } of loaded) {
      const configured = AgentConfig.splitDefaults(config.agentDefaults[agent.id] ?? {})
      const schemaDefaults = yield* Agent.parameterDefaults(agent).pipe(Effect.orElseSucceed(() => ({})))
      const parameters = { ...schemaDefaults, ...configured.agent }
      const sampling = { ...agent.modelDefaults, ...configured.model } as Record<string, unknown>
      described.push({ id: agent.id, source, description: agent.description, parameters, sampling })
      lines.push(`${Ui.style.bold(agent.id)}  ${Ui.style.dim(`(${source})`)}  ${agent.description}`)
      const names = Agent.parameterNames(agent)
      lines.push(
        `    parameters: ${names.length === 0 ? Ui.style.dim("none") : names.map((n) => `${n}=${show(parameters[n])}`).join("  ")}`
      )
      const samplingText = Object.entries(sampling)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}=${show(v)}`)
      lines.push(`    sampling:   ${samplingText.join("  ") || Ui.style.dim("provider defaults")}`)
    }
    yield* Scripting.emit(json, {
      json: () => described,
      quiet: () => loaded.map(({ agent }) => agent.id),
      text: Effect.gen(function*() {
        yield* Ui.print(lines.join("\n"))
        yield* Ui.print(Ui.style.dim("\n  Use with: ml-agents evaluate create --agent <id> [--param key=value ...]"))
      })
    })
  })
).pipe(Command.withDescription("List the built-in agents and installed plugins, with parameters and defaults"))

/** `ml-agents agents`. */
export const command = Command.make("agents").pipe(
  Command.withDescription("Agents: built-in and plugins (ML_AGENTS_PLUGINS)"),
  Command.withSubcommands([listCommand])
)
