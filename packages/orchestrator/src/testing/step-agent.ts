// A scripted agent for the loopback Messages API: it works through numbered steps ("steps 1-100"
// in its task's prompt), one `do_step` call a turn, the way a real agent spends a session. It
// re-reads its context at the start of every session (`orientTurns`: many for a big task, one
// for a part that lists its own steps), saves its checkpoint from the nudge on, says the work is
// too big when what is left cannot fit one more session, and, told to split, creates parts of
// `partSize` steps in order. Tests and the bench of splitting use it.
import { z } from "zod";
import type { ContentBlock, Message } from "../model.js";
import { defineTool, type Tool } from "../tools.js";
import type { FakeReply, FakeRequest } from "./messages-fake.js";

/** Options of {@link stepAgent}. */
export interface StepAgentOptions {
  /** Say "too big" at the checkpoint when what is left cannot fit one more session. */
  split: boolean;
  /** Turns spent re-reading the context at the start of a session of the whole task (10). */
  orientTurns?: number | undefined;
  /** The same for a part, whose prompt lists its steps (1). */
  partOrientTurns?: number | undefined;
  /** Steps per part when splitting (27). */
  partSize?: number | undefined;
  /** Turns of a session, to judge what fits (30). */
  sessionTurns?: number | undefined;
}

/**
 * The scripted agent: give `play` to the Messages fake and `tool` (`do_step`) to the session;
 * `done` lists the steps the tool did, in order.
 */
export function stepAgent(options: StepAgentOptions): {
  play: (request: FakeRequest) => FakeReply;
  tool: Tool;
  done: number[];
} {
  const done: number[] = [];
  const tool = defineTool({
    name: "do_step",
    description: "Do one numbered step of the work.",
    input: z.object({ step: z.number().int() }),
    run: ({ step }) => {
      done.push(step);
      return `step ${step} done`;
    },
  }) as Tool;
  const sessionTurns = options.sessionTurns ?? 30;
  const partSize = options.partSize ?? 27;
  let ids = 0;
  const id = () => `toolu_${++ids}`;

  const play = (request: FakeRequest): FakeReply => {
    const messages = request.messages;
    const first = textOf(messages[0]);
    const [, fromText, toText] = /steps (\d+)-(\d+)/.exec(first) ?? [];
    const from = Number(fromText);
    const to = Number(toText);
    const isPart = /^Task: steps \d+-\d+/.test(first);
    const checkpointDone = /```json\n([\s\S]*?)\n```/.exec(first)?.[1];
    const saved = checkpointDone
      ? ((JSON.parse(checkpointDone) as { done?: string[] }).done ?? [])
      : [];
    const lastSaved = Math.max(from - 1, ...saved.map((item) => Number(item.replace("step ", ""))));
    const calls = messages
      .filter((message) => message.role === "assistant")
      .flatMap((message) => message.content)
      .filter(
        (block): block is Extract<ContentBlock, { type: "tool_use" }> => block.type === "tool_use",
      );
    const turn = messages.filter((message) => message.role === "assistant").length + 1;

    if (first.includes("outgrown its sessions")) {
      // Planning: one part per turn, each waiting for the one before, then done.
      const created = calls.filter((call) => call.name === "create_task").length;
      const starts: number[] = [];
      for (let start = lastSaved + 1; start <= to; start += partSize) starts.push(start);
      const start = starts[created];
      if (start === undefined)
        return reply([
          {
            type: "tool_use",
            id: id(),
            name: "complete_task",
            input: { result: `${starts.length} parts` },
          },
        ]);
      const previousId = lastTaskId(messages);
      const end = Math.min(to, start + partSize - 1);
      return reply([
        {
          type: "tool_use",
          id: id(),
          name: "create_task",
          input: {
            title: `steps ${start}-${end}`,
            prompt: `Do steps ${start}-${end}, one do_step call each.`,
            ...(previousId ? { dependsOn: [previousId] } : {}),
          },
        },
      ]);
    }

    const orient = isPart ? (options.partOrientTurns ?? 1) : (options.orientTurns ?? 10);
    if (turn <= orient)
      return reply([{ type: "text", text: "Reading the notes and the files again." }]);
    const stepsThisSession = calls.filter((call) => call.name === "do_step").length;
    const next = lastSaved + stepsThisSession + 1;
    if (next > to)
      return reply([
        {
          type: "tool_use",
          id: id(),
          name: "complete_task",
          input: { result: `steps ${from}-${to} done` },
        },
      ]);
    const nudged = messages.some(
      (message) => message.role === "user" && textOf(message).includes("left in this session"),
    );
    const blocks: ContentBlock[] = [
      { type: "tool_use", id: id(), name: "do_step", input: { step: next } },
    ];
    if (nudged) {
      const left = to - next;
      blocks.push({
        type: "tool_use",
        id: id(),
        name: "save_checkpoint",
        input: {
          done: Array.from({ length: next - from + 1 }, (_, i) => `step ${from + i}`),
          next: left > 0 ? [`steps ${next + 1}-${to}`] : [],
          ...(options.split && left > sessionTurns - orient ? { tooBig: true } : {}),
        },
      });
    }
    return reply(blocks);
  };
  return { play, tool, done };
}

function reply(content: ContentBlock[]): FakeReply {
  return { content, usage: { input_tokens: 1000, output_tokens: 50 } };
}

function textOf(message: Message | undefined): string {
  return (message?.content ?? [])
    .map((block) => (block.type === "text" ? block.text : ""))
    .join("\n");
}

// The id the last create_task returned (its tool result: {"taskId": "…"}).
function lastTaskId(messages: Message[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--)
    for (const block of messages[i]?.content ?? [])
      if (block.type === "tool_result" && block.content.includes("taskId"))
        return (JSON.parse(block.content) as { taskId: string }).taskId;
  return undefined;
}
