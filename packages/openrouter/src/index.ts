/**
 * @ml-agents/openrouter: the `LlmClient` of `@ml-agents/core` over OpenRouter or any
 * OpenAI-compatible server, built on the official `openai` SDK.
 */
export * as ErrorMapping from "./ErrorMapping.js"
export * as OpenRouterClient from "./OpenRouterClient.js"
