import { z } from "zod";
import type { ToolSpec } from "./model.js";

/** What a tool may do besides answering: the session it runs in. */
export interface ToolContext {
  taskId: string;
  /** Adds a downstream task linked to this one; returns its id. */
  createTask(input: {
    title: string;
    prompt: string;
    priority?: number | undefined;
    /** Ids of tasks (made earlier in this session) that must be done before this one starts. */
    dependsOn?: string[] | undefined;
  }): Promise<string>;
}

/** A tool the agent can call. */
export interface Tool<Input = unknown> {
  name: string;
  description: string;
  input: z.ZodType<Input>;
  run(input: Input, context: ToolContext): Promise<unknown> | unknown;
}

/**
 * Defines a tool: its input is a zod schema (sent to the model as JSON Schema, and validated
 * before `run`). What `run` returns goes back to the model as JSON; what it throws goes back as
 * an error result, and the session goes on.
 *
 * @example
 * ```ts
 * const lint = defineTool({
 *   name: "lint_site", description: "Lint a site directory for template braces.",
 *   input: z.object({ dir: z.string() }),
 *   run: async ({ dir }) => (await lintPaths([dir])).errorCount,
 * });
 * ```
 */
export function defineTool<Input>(tool: Tool<Input>): Tool<Input> {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) throw new Error(`invalid tool name "${tool.name}"`);
  return tool;
}

/** The tool as the Messages API expects it. */
export function toolSpec(tool: Tool): ToolSpec {
  const schema = z.toJSONSchema(tool.input, { io: "input" }) as Record<string, unknown>;
  delete schema["$schema"];
  return { name: tool.name, description: tool.description, input_schema: schema };
}

/** The built-in tools' names: the runner handles them itself. */
export const BUILT_IN = {
  saveCheckpoint: "save_checkpoint",
  completeTask: "complete_task",
  requestHuman: "request_human",
  createTask: "create_task",
} as const;

/** The built-in tools, as the model sees them. */
export const builtInTools: Tool[] = [
  defineTool({
    name: BUILT_IN.saveCheckpoint,
    description:
      "Save your progress so the next session can continue from it if this one ends: what is done, what is next, and facts learned.",
    input: z.object({
      done: z.array(z.string()),
      next: z.array(z.string()),
      facts: z.array(z.string()).default([]),
      tooBig: z
        .boolean()
        .optional()
        .describe(
          "true when what is left cannot be done in one more session: the next session splits it into parts",
        ),
    }),
    run: () => "saved",
  }),
  defineTool({
    name: BUILT_IN.completeTask,
    description: "Call when the task is finished, with its result. The session ends.",
    input: z.object({ result: z.string() }),
    run: () => "completed",
  }),
  defineTool({
    name: BUILT_IN.requestHuman,
    description:
      "Call when a person must act or decide; say exactly what they must do. The session ends.",
    input: z.object({ message: z.string() }),
    run: () => "a person was asked",
  }),
  defineTool({
    name: BUILT_IN.createTask,
    description:
      "Queue a part of this task (linked to it) for a later session. Give dependsOn the ids of the parts that must be done before it starts (create_task returns each id).",
    input: z.object({
      title: z.string(),
      prompt: z.string(),
      priority: z.number().int().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
    run: async (input, context) => ({ taskId: await context.createTask(input) }),
  }) as Tool,
];
