// Which Claude model the agent runs by default, and which ids are being retired. Also the entry
// `@jada/orchestrator/models`: it imports nothing, so a config schema can read the default cheaply.

/**
 * The model the agent uses unless configured otherwise: a current Sonnet (capable for operations
 * work at a moderate price). Reviewed with each bump of `@anthropic-ai/sdk`.
 */
export const DEFAULT_MODEL = "claude-sonnet-5-5";

/**
 * Model ids announced for retirement, with the day they stop answering (from the deprecation
 * table `@anthropic-ai/sdk` 1.12 ships, which it only prints to the console).
 */
export const MODEL_RETIREMENTS: Readonly<Record<string, string>> = {
  "claude-mythos-preview": "2026-06-30",
  "claude-sonnet-4-5": "2026-11-30",
  "claude-sonnet-4-5-20250929": "2026-11-30",
};

/** Whether a model id is being retired: when, and whether that day has passed. */
export function modelRetirement(
  model: string,
  now: number = Date.now(),
): { model: string; retiresOn: string; retired: boolean; use: string } | undefined {
  const retiresOn = MODEL_RETIREMENTS[model];
  if (retiresOn === undefined) return undefined;
  return {
    model,
    retiresOn,
    retired: now >= Date.parse(`${retiresOn}T00:00:00Z`),
    use: DEFAULT_MODEL,
  };
}
