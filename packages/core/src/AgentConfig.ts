/**
 * What an evaluation runs: which agent, with which model and parameters. A value object: two
 * evaluations with equal configs ran the same experiment.
 */
import { Schema } from "effect"

/** Sampling parameters passed to the model on every call an agent makes. */
export class ModelParameters extends Schema.Class<ModelParameters>("ModelParameters")({
  temperature: Schema.optional(Schema.Number.pipe(Schema.between(0, 2))),
  maxTokens: Schema.optional(Schema.Int.pipe(Schema.positive())),
  topP: Schema.optional(Schema.Number.pipe(Schema.between(0, 1)))
}) {}

/** The full configuration of an evaluation's agent. */
export class AgentConfig extends Schema.Class<AgentConfig>("AgentConfig")({
  agentType: Schema.String,
  modelProvider: Schema.String,
  modelName: Schema.String,
  modelParameters: ModelParameters,
  agentParameters: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/** Keys of agent-defaults JSON (e.g. `TOT_AGENT_DEFAULTS`) that are sampling parameters. */
export const modelParameterKeys = {
  temperature: "temperature",
  max_tokens: "maxTokens",
  top_p: "topP"
} as const

/**
 * Splits a flat defaults object such as `{"temperature":0.9,"max_tokens":1500,"tree_depth":3}`
 * into model parameters and agent parameters.
 */
export const splitDefaults = (
  flat: Readonly<Record<string, unknown>>
): { readonly model: Record<string, unknown>; readonly agent: Record<string, unknown> } => {
  const model: Record<string, unknown> = {}
  const agent: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(flat)) {
    const modelKey = (modelParameterKeys as Record<string, string>)[key]
    if (modelKey !== undefined) model[modelKey] = value
    else agent[key] = value
  }
  return { model, agent }
}
