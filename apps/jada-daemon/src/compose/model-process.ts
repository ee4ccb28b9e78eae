// The agent's model in a short-lived child process. The daemon idles most of its day; a session
// loads the Anthropic SDK (about 15 MB of code) and grows the heap, and a process never gives
// that back. Here the child holds the SDK, answers one call per turn over IPC, and exits once the
// calls stop: after a session the daemon is as small as before it (bench/README.md has the
// figures).
import { type ChildProcess, fork } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type AgentModel, type Logger, ModelError } from "@jada/orchestrator";
import type { ChildMessage, ParentMessage } from "./model-protocol.js";

/** Options of {@link createModelProcess}. */
export interface ModelProcessOptions {
  apiKey: string;
  baseURL: string | undefined;
  model: string;
  maxTokens: number;
  /** The environment the child inherits (the API key variables are left out). */
  env: Readonly<Record<string, string | undefined>>;
  /** The child exits after this long without a call (default 30 s). */
  idleMs?: number | undefined;
  logger?: Logger | undefined;
  /** Told when the child exited after its calls stopped (a burst of work is over). */
  onIdleExit?: (() => void) | undefined;
}

/** The model, answered by a child process started on the first call. */
export interface ModelProcess extends AgentModel {
  /** The child's pid while it runs. */
  readonly pid: number | undefined;
  /** Ends the child now: it exits once disconnected (calls in flight fail as network errors). */
  close(): void;
}

// The child's script: beside this chunk in dist/; from the sources (tests), the built one.
function childScript(): string {
  const here = import.meta.url;
  const url = /\/src\/compose\/[^/]+$/.test(here)
    ? new URL("../../dist/model-child.js", here)
    : new URL("./model-child.js", here);
  return fileURLToPath(url);
}

/** An {@link AgentModel} whose SDK lives in a child process that exits when idle. */
export function createModelProcess(options: ModelProcessOptions): ModelProcess {
  const idleMs = options.idleMs ?? 30_000;
  const pending = new Map<
    number,
    { resolve: (m: ChildMessage) => void; reject: (e: Error) => void }
  >();
  let child: ChildProcess | undefined;
  let nextId = 1;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  const start = (): ChildProcess => {
    const env = { ...options.env };
    delete env["ANTHROPIC_API_KEY"];
    delete env["ANTHROPIC_API_KEY_FILE"];
    const started = fork(childScript(), [], {
      env,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
      // Not the daemon's own flags (a test runner's loaders and conditions, inspector ports).
      execArgv: [],
    });
    // Whatever the SDK prints goes to the daemon's log as JSON lines, not between them.
    for (const stream of [started.stdout, started.stderr])
      if (stream)
        createInterface({ input: stream }).on("line", (line) =>
          options.logger?.warn({ source: "model-process" }, line),
        );
    started.on("message", (message: ChildMessage) => {
      const waiting = pending.get(message.id);
      if (waiting === undefined) return;
      pending.delete(message.id);
      waiting.resolve(message);
      settle();
    });
    started.on("exit", (code, signal) => {
      if (child === started) child = undefined;
      const error = new ModelError(
        "network",
        `network: the model process exited (${signal ?? `code ${code}`}) during the call`,
      );
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    });
    started.on("error", (error) => {
      options.logger?.error({ source: "model-process" }, `model process: ${error.message}`);
    });
    send(started, {
      type: "init",
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      model: options.model,
      maxTokens: options.maxTokens,
    });
    return started;
  };

  // While a call waits, the child keeps the daemon alive (a `--once` pass has nothing else);
  // idle, it does not, and it exits after idleMs.
  const settle = () => {
    if (child === undefined) return;
    clearTimeout(idleTimer);
    if (pending.size > 0) {
      child.ref();
      child.channel?.ref();
      return;
    }
    child.unref();
    child.channel?.unref();
    const idle = child;
    idleTimer = setTimeout(() => {
      idle.once("exit", () => options.onIdleExit?.());
      idle.disconnect();
    }, idleMs);
    idleTimer.unref();
  };

  return {
    get pid() {
      return child?.pid;
    },
    async send(request) {
      child ??= start();
      const id = nextId++;
      const answer = new Promise<ChildMessage>((resolve, reject) => {
        pending.set(id, { resolve, reject });
      });
      settle();
      send(child, { type: "request", id, request });
      const message = await answer;
      if (message.type === "response") return message.response;
      throw new ModelError(message.kind, message.message, {
        retryAfterSeconds: message.retryAfterSeconds,
        status: message.status,
        apiType: message.apiType,
      });
    },
    close() {
      clearTimeout(idleTimer);
      // The child ignores SIGTERM (it shares the daemon's process group) and exits on disconnect.
      if (child?.connected) child.disconnect();
      child?.unref();
      child = undefined;
    },
  };
}

function send(child: ChildProcess, message: ParentMessage): void {
  child.send(message);
}
