// The model's own process: it holds the Anthropic SDK and answers the daemon's calls over IPC,
// so the daemon never loads the SDK and its memory stays that of an idle daemon after a session
// (see compose/model-process.ts). It exits when the daemon disconnects or goes.
import Anthropic from "@anthropic-ai/sdk";
import { type AgentModel, createAnthropicModel, ModelError } from "@jada/orchestrator";
import type { ChildMessage, ParentMessage } from "./compose/model-protocol.js";

let model: AgentModel | undefined;

const reply = (message: ChildMessage) => process.send?.(message);

process.on("message", (message: ParentMessage) => {
  if (message.type === "init") {
    model = createAnthropicModel(
      new Anthropic({ apiKey: message.apiKey, baseURL: message.baseURL ?? null, maxRetries: 2 }),
      { model: message.model, maxTokens: message.maxTokens },
    );
    return;
  }
  if (model === undefined) {
    reply({
      type: "error",
      id: message.id,
      kind: "network",
      message: "network: the model process got no init",
    });
    return;
  }
  model.send(message.request).then(
    (response) => reply({ type: "response", id: message.id, response }),
    (error: unknown) =>
      reply(
        error instanceof ModelError
          ? {
              type: "error",
              id: message.id,
              kind: error.kind,
              message: error.message,
              retryAfterSeconds: error.retryAfterSeconds,
              status: error.status,
              apiType: error.apiType,
            }
          : {
              type: "error",
              id: message.id,
              kind: "network",
              message: `network: ${String((error as Error)?.message ?? error)}`,
            },
      ),
  );
});
process.on("disconnect", () => process.exit(0));
// systemd (KillMode=control-group) and a terminal's Ctrl-C signal the whole group: the daemon
// finishes its call in flight before it stops, so this process waits for the daemon to go.
process.on("SIGTERM", () => {});
process.on("SIGINT", () => {});
