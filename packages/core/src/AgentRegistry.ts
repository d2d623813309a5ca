/**
 * The agents a process knows by id: the built-in ones and any plugins loaded by the app.
 */
import { Context, Effect, Layer, Schema } from "effect"
import type { Agent } from "./Agent.js"

/** No agent with that id is registered. */
export class AgentNotFound extends Schema.TaggedError<AgentNotFound>()("AgentNotFound", {
  agentId: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  override get message() {
    return `unknown agent '${this.agentId}' (available: ${this.available.join(", ")})`
  }
}

/** The AgentRegistry service. */
export class AgentRegistry extends Context.Tag("@ml-agents/core/AgentRegistry")<AgentRegistry, AgentRegistry.Service>() {}

/** The AgentRegistry service's types. */
export declare namespace AgentRegistry {
  /** What an AgentRegistry does. */
  export interface Service {
    readonly list: ReadonlyArray<Agent<any>>
    readonly get: (id: string) => Effect.Effect<Agent<any>, AgentNotFound>
  }
}

/** Builds a registry from agents; a later agent with the same id replaces an earlier one. */
export const make = (agents: ReadonlyArray<Agent<any>>): AgentRegistry.Service => {
  const byId = new Map(agents.map((agent) => [agent.id, agent] as const))
  const list = [...byId.values()]
  return {
    list,
    get: (id) => {
      const agent = byId.get(id)
      return agent === undefined
        ? Effect.fail(new AgentNotFound({ agentId: id, available: list.map((a) => a.id) }))
        : Effect.succeed(agent)
    }
  }
}

/** A registry layer from a list of agents. */
export const layer = (agents: ReadonlyArray<Agent<any>>): Layer.Layer<AgentRegistry> =>
  Layer.succeed(AgentRegistry, make(agents))
