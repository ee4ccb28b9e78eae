import { z } from "zod";

/**
 * `lint`: defaults of `jada lint`. Command-line options win over these.
 */
export const lintConfigSchema = z
  .strictObject({
    extensions: z
      .array(
        z.string().regex(/^\.?[A-Za-z0-9][A-Za-z0-9.-]*$/, "an extension such as html or .htm"),
      )
      .min(1)
      .default(["html", "htm"])
      .describe("File extensions linted inside directories."),
    maxWarnings: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Fail when there are more warnings than this (errors always fail)."),
    format: z
      .enum(["stylish", "json", "sarif"])
      .default("stylish")
      .describe("Output format: stylish (for people), json or sarif (for programs)."),
  })
  .describe("Defaults of `jada lint` (the template-brace lint).");

/**
 * The whole `jada.config.json`. Every capability adds its own section here; unknown keys are
 * errors, so a typo never silently falls back to a default.
 */
export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path or URL of this file's JSON Schema, for editors."),
    lint: lintConfigSchema.prefault({}),
  })
  .describe("Configuration of jada: the daemon and the `jada` CLI.");

/** The validated configuration, with every default filled in. */
export type JadaConfig = z.output<typeof configSchema>;

/** The configuration as written in the file (defaults optional). */
export type JadaConfigInput = z.input<typeof configSchema>;

/** The JSON Schema of `jada.config.json`, generated from {@link configSchema}. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }),
    title: "jada.config.json",
  };
}
