/**
 * What every command can read: the validated configuration and the global flags.
 */
import { Context } from "effect"
import type { AppConfig } from "./AppConfig.js"

/** Global flags, accepted anywhere on the command line. */
export interface GlobalFlags {
  readonly verbose: boolean
  readonly quiet: boolean
  readonly configPath: string | undefined
}

/** The AppContext service. */
export class AppContext extends Context.Tag("@ml-agents/cli/AppContext")<
  AppContext,
  { readonly config: AppConfig; readonly flags: GlobalFlags }
>() {}
