/**
 * Choosing between structured (JSON) and text output for a model, from the provider's model list.
 */
import { Effect } from "effect"
import type { LlmClient } from "@ml-agents/core"

/** The `structured_output` parameter: ask for JSON where supported, always, or never. */
export type Setting = "auto" | "always" | "never"

/** The output mode of one question, and why when it is not the obvious one. */
export interface Choice {
  readonly mode: "structured" | "text"
  readonly note?: string | undefined
}

/** Model-list parameters that mean the model honours `response_format`. */
export const STRUCTURED_PARAMETERS: ReadonlyArray<string> = ["response_format", "structured_outputs"]

/** Whether a model from the list supports structured output. */
export const supportsStructured = (info: LlmClient.ModelInfo): boolean =>
  info.supportedParameters.some((p) => STRUCTURED_PARAMETERS.includes(p))

// OpenRouter variants (`…:free`, `…:nitro`) are listed under their own id, or only under the base one.
const findModel = (models: ReadonlyArray<LlmClient.ModelInfo>, model: string): LlmClient.ModelInfo | undefined =>
  models.find((m) => m.id === model) ?? models.find((m) => m.id === model.replace(/:[^/:]+$/, ""))

/**
 * Picks the mode. A model list that cannot be fetched does not fail the question: text mode works
 * with every model, so it is used, and the note says why.
 */
export const choose = (
  llm: LlmClient.LlmClient.Service,
  model: string,
  setting: Setting
): Effect.Effect<Choice> => {
  if (setting === "never") return Effect.succeed({ mode: "text" })
  if (setting === "always") return Effect.succeed({ mode: "structured" })
  return llm.listModels.pipe(
    Effect.map((models): Choice => {
      const info = findModel(models, model)
      if (info === undefined) return { mode: "text", note: `model '${model}' is not in the model list; used text mode` }
      return { mode: supportsStructured(info) ? "structured" : "text" }
    }),
    Effect.catchAll((error) =>
      Effect.succeed<Choice>({
        mode: "text",
        note: `the model list could not be fetched (${error.category}: ${error.message}); used text mode`
      })
    )
  )
}
