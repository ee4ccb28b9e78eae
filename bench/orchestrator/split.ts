// Work that outgrows a session: the scripted 100-step task to completion, split into parts
// against resuming from checkpoints alone (the anchor), in the same run; and the input tokens a
// turn pays with and without prompt caching, as counted from the requests' sizes.
//
//   npm run build && node bench/orchestrator/split.ts [--steps 100]   (npm run bench:split)
//
// The scripted agent (stepAgent of @jada/orchestrator/testing) does one step a turn, re-reads
// its context for 10 turns at the start of each session of the whole task (1 for a part, whose
// prompt lists its steps), and says "too big" at the checkpoint when what is left will not fit.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import { createAnthropicModel, runNextTask } from "@jada/orchestrator";
import { createSqliteTaskStore } from "@jada/orchestrator/sqlite";
import {
  type FakeRequest,
  manualClock,
  startMessagesFake,
  stepAgent,
} from "@jada/orchestrator/testing";

const { values } = parseArgs({ options: { steps: { type: "string", default: "100" } } });
const steps = Number(values.steps);
const dir = await mkdtemp(join(tmpdir(), "jada-bench-split-"));

async function toCompletion(split: boolean) {
  const agent = stepAgent({ split });
  const fake = await startMessagesFake(agent.play);
  const clock = manualClock(Date.parse("2026-12-01T08:00:00Z"));
  const store = createSqliteTaskStore({
    path: join(dir, `${split ? "split" : "resume"}.db`),
    dailySessions: 5,
    clock,
  });
  const model = createAnthropicModel(
    new Anthropic({ apiKey: "sk-ant-bench", baseURL: fake.baseURL, maxRetries: 0 }),
    { model: "claude-bench" },
  );
  await store.add({ title: `Do steps 1-${steps}`, prompt: `steps 1-${steps}`, maxAttempts: 20 });
  let sessions = 0;
  let days = 1;
  for (;;) {
    const ran = await runNextTask({
      store,
      model,
      system: SYSTEM,
      workerId: "w",
      tools: [agent.tool],
      now: clock.now,
    });
    if (ran.kind === "quota_exhausted") {
      clock.advance(24 * 3_600_000);
      days++;
      continue;
    }
    if (ran.kind !== "ran") break;
    sessions++;
  }
  const requests = [...fake.requests];
  await fake.close();
  await store.close();
  if (agent.done.length !== steps) throw new Error(`${agent.done.length} steps done, not ${steps}`);
  return { sessions, days, calls: requests.length, requests };
}

// Characters a request sends as input, and those of it that are new since the same session's
// previous request (the rest is the conversation the cache breakpoint covers); a session's
// first request pays the system prompt and tools in full only on its first call of the day.
function inputPerTurn(requests: FakeRequest[]) {
  let full = 0;
  let uncached = 0;
  let previous: string | undefined;
  for (const request of requests) {
    const head = JSON.stringify([request.system, request.tools]);
    const conversation = request.messages.map((message) => JSON.stringify(message));
    const whole = head.length + conversation.join("").length;
    full += whole;
    const sameSession = previous !== undefined && request.messages.length > 1;
    const prefix = sameSession ? conversation.slice(0, -2).join("").length : 0;
    const headCached = previous !== undefined;
    uncached += whole - prefix - (headCached ? head.length : 0);
    previous = head;
  }
  // About 4 characters a token.
  return { full: full / requests.length / 4, uncached: uncached / requests.length / 4 };
}

const SYSTEM = "You are jada's agent. Work on the task; save your progress before the turn limit.";
try {
  const resume = await toCompletion(false);
  const split = await toCompletion(true);
  const caching = inputPerTurn(split.requests);
  const rows = [
    `| anchor: resuming from checkpoints alone | ${resume.sessions} sessions, ${resume.calls} API calls | ${resume.days} quota days (5 sessions a day) | - |`,
    `| split after the first session that outgrew itself | ${split.sessions} sessions (${(split.sessions / resume.sessions).toFixed(2)}x), ${split.calls} API calls (${(split.calls / resume.calls).toFixed(2)}x) | ${split.days} quota day${split.days === 1 ? "" : "s"} | fewer sessions, within the day |`,
    `| input tokens a turn, no prompt caching | ${caching.full.toFixed(0)} | mean over the ${split.calls} calls of the split run, characters / 4 | - |`,
    `| input tokens a turn at full price, with caching (system, tools, the conversation so far) | ${caching.uncached.toFixed(0)} (${(caching.uncached / caching.full).toFixed(2)}x) | the rest read from the cache | - |`,
  ];
  process.stdout.write(
    `\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, \`node bench/orchestrator/split.ts --steps ${steps}\`:\n\n| what | figure | detail | target |\n|---|---|---|---|\n${rows.join("\n")}\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
