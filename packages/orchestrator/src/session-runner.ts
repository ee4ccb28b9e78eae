import {
  type AgentModel,
  type ContentBlock,
  type Message,
  ModelError,
  type ModelErrorKind,
  type Usage,
} from "./model.js";
import { BUILT_IN, builtInTools, type Tool, type ToolContext, toolSpec } from "./tools.js";
import type { SessionOutcome } from "./types.js";

/** What a session saved to go on from. */
export interface Checkpoint {
  done: string[];
  next: string[];
  facts: string[];
  /** `agent` when the agent saved it; `derived` when the runner wrote it from the transcript. */
  source: "agent" | "derived";
  /** The agent said what is left does not fit one more session. */
  tooBig?: boolean | undefined;
  /** Set by the runner: the next session splits the task into parts (see {@link runSession}). */
  split?: "next" | undefined;
}

/** Options of {@link runSession}. */
export interface RunSessionOptions {
  task: { id: string; title: string; prompt: string; checkpoint: unknown };
  /**
   * The session's job is to split the task into parts that each fit one session (create_task,
   * in order, with dependsOn), then end with complete_task: the task outgrew its sessions.
   */
  planning?: boolean | undefined;
  model: AgentModel;
  system: string;
  /** Domain tools of the app, besides the built-in ones. */
  tools?: readonly Tool[] | undefined;
  /** Never more model calls than this (default 30). */
  maxTurns?: number | undefined;
  /** The turn at which the agent is told to save its progress (default maxTurns - 5). */
  checkpointAtTurn?: number | undefined;
  createTask: ToolContext["createTask"];
  /** Called after each turn (heartbeats, logs). */
  onTurn?: ((turn: number, usage: Usage) => Promise<void> | void) | undefined;
  /** Called when the agent saves a checkpoint, so that it outlives a crash of the worker. */
  onCheckpoint?: ((checkpoint: Checkpoint) => Promise<void> | void) | undefined;
  /**
   * Whether the session's usage so far spends the day's token or dollar budget; checked after
   * each turn. When it does, the session ends with `budget_exceeded` and a checkpoint.
   */
  overBudget?: ((usage: Usage) => boolean) | undefined;
  /** Stop after the current call (SIGTERM): the session ends like `max_turns`, with a checkpoint. */
  signal?: AbortSignal | undefined;
}

/** Why a session ended in `error`: the model call's failure, classified. */
export interface SessionError {
  kind: ModelErrorKind | "tool";
  message: string;
  /** Seconds the API asked to wait, when it said. */
  retryAfterSeconds?: number | undefined;
  /** The HTTP status and the API's error type, when it answered. */
  status?: number | undefined;
  apiType?: string | undefined;
}

/** How a session ended, and what it leaves. */
export interface SessionResult {
  outcome: SessionOutcome;
  /** Model calls made. */
  turns: number;
  usage: Usage;
  checkpoint: Checkpoint | undefined;
  result: string | undefined;
  needsYou: string | undefined;
  /** Set when the outcome is `error`. */
  error: SessionError | undefined;
  /** The worker was stopping: the session ended early, after its current call, with a checkpoint. */
  interrupted?: boolean | undefined;
}

const NOT_FINISHED =
  "The task is not finished. Continue working on it; when it is done call complete_task with the result, or request_human if a person must act.";

/**
 * Runs one agent session of a task: the tool-use loop over the model, one call per turn, never
 * more than `maxTurns` calls. At `checkpointAtTurn` the agent is told how many turns remain and
 * to save its progress; at the limit the session ends with `max_turns` and a checkpoint (the
 * agent's own, else one derived from the transcript), from which the next session starts.
 * A reply that stops without `complete_task` or `request_human` is not a success: the agent is
 * told to go on.
 */
export async function runSession(options: RunSessionOptions): Promise<SessionResult> {
  const maxTurns = options.maxTurns ?? 30;
  const checkpointAt = options.checkpointAtTurn ?? Math.max(1, maxTurns - 5);
  const tools = [...builtInTools, ...(options.tools ?? [])];
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const specs = tools.map(toolSpec);
  const usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const context: ToolContext = { taskId: options.task.id, createTask: options.createTask };
  const messages: Message[] = [
    {
      role: "user",
      content: [
        {
          type: "text",
          text: firstMessage(options.task, options.planning ? maxTurns : undefined),
        },
      ],
    },
  ];
  let checkpoint: Checkpoint | undefined;
  const toolCalls: string[] = [];
  let lastText = "";

  const end = (
    outcome: SessionOutcome,
    turns: number,
    extra: Partial<SessionResult> = {},
  ): SessionResult => ({
    outcome,
    turns,
    usage,
    checkpoint: outcome === "completed" ? checkpoint : (checkpoint ?? derived(lastText, toolCalls)),
    result: undefined,
    needsYou: undefined,
    error: undefined,
    ...extra,
  });

  for (let turn = 1; turn <= maxTurns; turn++) {
    if (turn === checkpointAt) {
      const remaining = maxTurns - turn + 1;
      lastUserMessage(messages).content.push({
        type: "text",
        text: `You have ${remaining} turn${remaining === 1 ? "" : "s"} left in this session (this one included). Save your progress now with save_checkpoint: what is done, what is next, and facts learned. The next session continues from it.`,
      });
    }
    let response: Awaited<ReturnType<AgentModel["send"]>>;
    try {
      response = await options.model.send({ system: options.system, tools: specs, messages });
    } catch (error) {
      const modelError =
        error instanceof ModelError
          ? error
          : new ModelError("network", (error as Error)?.message ?? String(error), { cause: error });
      return end("error", turn - 1, {
        error: {
          kind: modelError.kind,
          message: modelError.message,
          retryAfterSeconds: modelError.retryAfterSeconds,
          status: modelError.status,
          apiType: modelError.apiType,
        },
      });
    }
    usage.inputTokens += response.usage.inputTokens;
    usage.outputTokens += response.usage.outputTokens;
    usage.cacheReadTokens += response.usage.cacheReadTokens;
    usage.cacheWriteTokens += response.usage.cacheWriteTokens;
    messages.push({ role: "assistant", content: response.content });
    for (const block of response.content)
      if (block.type === "text" && block.text.trim()) lastText = block.text;
    await options.onTurn?.(turn, response.usage);

    const uses = response.content.filter(
      (block): block is Extract<ContentBlock, { type: "tool_use" }> => block.type === "tool_use",
    );
    const results: ContentBlock[] = [];
    let finished: SessionResult | undefined;
    for (const use of uses) {
      toolCalls.push(use.name);
      const tool = byName.get(use.name);
      if (tool === undefined) {
        results.push({
          type: "tool_result",
          tool_use_id: use.id,
          content: `unknown tool ${use.name}`,
          is_error: true,
        });
        continue;
      }
      const parsed = tool.input.safeParse(use.input);
      if (!parsed.success) {
        results.push({
          type: "tool_result",
          tool_use_id: use.id,
          content: `invalid input: ${parsed.error.message}`,
          is_error: true,
        });
        continue;
      }
      const input = parsed.data as Record<string, unknown>;
      if (use.name === BUILT_IN.saveCheckpoint) {
        checkpoint = {
          done: input["done"] as string[],
          next: input["next"] as string[],
          facts: input["facts"] as string[],
          source: "agent",
          ...(input["tooBig"] === true ? { tooBig: true } : {}),
        };
        await options.onCheckpoint?.(checkpoint);
      } else if (use.name === BUILT_IN.completeTask) {
        finished = end("completed", turn, { result: input["result"] as string });
      } else if (use.name === BUILT_IN.requestHuman) {
        finished = end("needs_you", turn, { needsYou: input["message"] as string });
      }
      try {
        const output = await tool.run(parsed.data, context);
        results.push({
          type: "tool_result",
          tool_use_id: use.id,
          content: typeof output === "string" ? output : JSON.stringify(output ?? null),
        });
      } catch (error) {
        // A failing tool is the agent's to handle, not the end of the session.
        results.push({
          type: "tool_result",
          tool_use_id: use.id,
          content: `error: ${(error as Error)?.message ?? String(error)}`,
          is_error: true,
        });
      }
    }
    if (finished) return finished;
    if (options.signal?.aborted) return end("max_turns", turn, { interrupted: true });
    if (options.overBudget?.(usage)) return end("budget_exceeded", turn);
    // Tool results go back; a reply that just stops is told the task is not finished.
    messages.push({
      role: "user",
      content: results.length > 0 ? results : [{ type: "text", text: NOT_FINISHED }],
    });
  }
  return end("max_turns", maxTurns);
}

function lastUserMessage(messages: Message[]): Message {
  const last = messages[messages.length - 1];
  if (last === undefined || last.role !== "user")
    throw new Error("the conversation must end with a user message here");
  return last;
}

function firstMessage(task: RunSessionOptions["task"], planningTurns: number | undefined): string {
  const lines = [`Task: ${task.title}`, "", task.prompt];
  if (planningTurns !== undefined)
    lines.push(
      "",
      `This task has outgrown its sessions: the last one ended at its turn limit without enough progress. Do not work on it in this session. Split what is left (see the checkpoint below) into parts that each fit one session of ${planningTurns} turns: call create_task once per part, in the order they must run, giving each part dependsOn: [the id of the part before it]. Then call complete_task with the plan in one line. This task completes when its parts are done.`,
    );
  if (task.checkpoint !== null && task.checkpoint !== undefined) {
    lines.push(
      "",
      "This task was started in an earlier session, which saved this checkpoint. Continue from it; do not redo what is done:",
      "```json",
      JSON.stringify(task.checkpoint, null, 2),
      "```",
    );
  }
  return lines.join("\n");
}

// When the agent saved nothing, the transcript still says where it stood.
function derived(lastText: string, toolCalls: string[]): Checkpoint {
  const counts = new Map<string, number>();
  for (const name of toolCalls) counts.set(name, (counts.get(name) ?? 0) + 1);
  return {
    done: [...counts].map(
      ([name, count]) => `called ${name} ${count} time${count === 1 ? "" : "s"}`,
    ),
    next: lastText ? [`continue from the last note: ${lastText.slice(0, 500)}`] : [],
    facts: [],
    source: "derived",
  };
}
