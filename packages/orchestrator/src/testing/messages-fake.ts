import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { ContentBlock, Message, ToolSpec } from "../model.js";

/** What the fake answers to one call. */
export type FakeReply =
  | {
      content: ContentBlock[];
      stopReason?: string;
      usage?: Partial<{
        input_tokens: number;
        output_tokens: number;
        cache_read_input_tokens: number;
        cache_creation_input_tokens: number;
      }>;
    }
  | { error: { status: number; type: string; message: string; retryAfter?: number } }
  | { drop: true }
  | { malformed: true };

/** A request the fake received. */
export interface FakeRequest {
  call: number;
  system: unknown;
  tools: ToolSpec[];
  messages: Message[];
  headers: Record<string, string | string[] | undefined>;
}

/** A running loopback Messages API. */
export interface MessagesFake {
  /** Give it to the SDK as `baseURL` (or `ANTHROPIC_BASE_URL`). */
  baseURL: string;
  readonly requests: ReadonlyArray<FakeRequest>;
  close(): Promise<void>;
}

/**
 * A loopback Anthropic Messages API (`POST /v1/messages`) that plays a script: `play` decides
 * each answer from the request (tool use, text, an API error with `retry-after`, a dropped
 * connection, a malformed body), for tests with the real `@anthropic-ai/sdk`.
 */
export async function startMessagesFake(
  play: (request: FakeRequest) => FakeReply | Promise<FakeReply>,
): Promise<MessagesFake> {
  const requests: FakeRequest[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== "POST" || !request.url?.startsWith("/v1/messages")) {
      response.writeHead(404, { "content-type": "application/json" }).end(
        JSON.stringify({
          type: "error",
          error: { type: "not_found_error", message: "not found" },
        }),
      );
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
      system: unknown;
      tools?: ToolSpec[];
      messages: Message[];
      model?: string;
    };
    const received: FakeRequest = {
      call: requests.length + 1,
      system: body.system,
      tools: body.tools ?? [],
      messages: body.messages,
      headers: request.headers,
    };
    requests.push(received);
    const reply = await play(received);
    if ("drop" in reply) {
      request.socket.destroy();
      return;
    }
    if ("malformed" in reply) {
      response.writeHead(200, { "content-type": "application/json" }).end("{ not json");
      return;
    }
    if ("error" in reply) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (reply.error.retryAfter !== undefined)
        headers["retry-after"] = String(reply.error.retryAfter);
      response.writeHead(reply.error.status, headers).end(
        JSON.stringify({
          type: "error",
          error: { type: reply.error.type, message: reply.error.message },
        }),
      );
      return;
    }
    const hasToolUse = reply.content.some((block) => block.type === "tool_use");
    response
      .writeHead(200, {
        "content-type": "application/json",
        "request-id": `req_${randomBytes(6).toString("hex")}`,
      })
      .end(
        JSON.stringify({
          id: `msg_${randomBytes(8).toString("hex")}`,
          type: "message",
          role: "assistant",
          model: body.model ?? "claude-test",
          content: reply.content,
          stop_reason: reply.stopReason ?? (hasToolUse ? "tool_use" : "end_turn"),
          stop_sequence: null,
          usage: {
            input_tokens: 100,
            output_tokens: 20,
            cache_read_input_tokens: 0,
            cache_creation_input_tokens: 0,
            ...reply.usage,
          },
        }),
      );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    baseURL: `http://127.0.0.1:${address.port}`,
    requests,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
