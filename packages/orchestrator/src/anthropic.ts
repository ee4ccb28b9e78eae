// The AgentModel port over @anthropic-ai/sdk (the only file that imports it).
import type Anthropic from "@anthropic-ai/sdk";
import {
  type AgentModel,
  type ContentBlock,
  ModelError,
  type ModelErrorKind,
  type ModelRequest,
} from "./model.js";

/** Options of {@link createAnthropicModel}. */
export interface AnthropicModelOptions {
  model: string;
  maxTokens?: number | undefined;
}

/**
 * An {@link AgentModel} over the Messages API. The client is the caller's (API key, `baseURL`
 * or `ANTHROPIC_BASE_URL`, `maxRetries`: the SDK retries 429 and 529, honoring `retry-after`).
 * The system prompt, the tools and the conversation so far carry `cache_control` (three of the
 * four breakpoints the API allows): a resumed session reads the system prompt and the tools from
 * the prompt cache, and each turn of a session reads every earlier turn from it, paying full
 * price only for what is new since the last call.
 */
export function createAnthropicModel(
  client: Anthropic,
  options: AnthropicModelOptions,
): AgentModel {
  return {
    async send(request) {
      const tools = request.tools.map((tool, index) =>
        index === request.tools.length - 1
          ? { ...tool, cache_control: { type: "ephemeral" as const } }
          : tool,
      );
      try {
        const message = await client.messages.create({
          model: options.model,
          max_tokens: options.maxTokens ?? 4096,
          system: [{ type: "text", text: request.system, cache_control: { type: "ephemeral" } }],
          tools: tools as never,
          messages: withCacheBreakpoint(request.messages) as never,
        });
        const content: ContentBlock[] = [];
        for (const block of message.content as Array<{
          type: string;
          text?: string;
          id?: string;
          name?: string;
          input?: unknown;
        }>) {
          if (block.type === "text") content.push({ type: "text", text: block.text ?? "" });
          else if (block.type === "tool_use")
            content.push({
              type: "tool_use",
              id: block.id ?? "",
              name: block.name ?? "",
              input: block.input,
            });
        }
        const usage = message.usage as {
          input_tokens?: number;
          output_tokens?: number;
          cache_read_input_tokens?: number | null;
          cache_creation_input_tokens?: number | null;
        };
        return {
          content,
          stopReason: message.stop_reason ?? "end_turn",
          usage: {
            inputTokens: usage.input_tokens ?? 0,
            outputTokens: usage.output_tokens ?? 0,
            cacheReadTokens: usage.cache_read_input_tokens ?? 0,
            cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
          },
        };
      } catch (error) {
        throw classifyAnthropicError(error);
      }
    },
  };
}

/**
 * Classifies an SDK error by its fields (status, the API's error type), not by class: the
 * runner acts on the kind (auth and invalid requests are not retried; overload and rate limits
 * back off).
 */
export function classifyAnthropicError(error: unknown): ModelError {
  const status = (error as { status?: unknown })?.status;
  const type = (error as { error?: { error?: { type?: string } } })?.error?.error?.type;
  const headers = (error as { headers?: Headers | Record<string, string> })?.headers;
  const retryAfterRaw =
    headers instanceof Headers ? headers.get("retry-after") : headers?.["retry-after"];
  const retryAfterSeconds =
    retryAfterRaw !== undefined && retryAfterRaw !== null && Number.isFinite(Number(retryAfterRaw))
      ? Number(retryAfterRaw)
      : undefined;
  let kind: ModelErrorKind;
  if (status === 429 || type === "rate_limit_error") kind = "rate_limited";
  else if (
    status === 529 ||
    type === "overloaded_error" ||
    (typeof status === "number" && status >= 500)
  )
    kind = "overloaded";
  else if (
    status === 401 ||
    status === 403 ||
    type === "authentication_error" ||
    type === "permission_error"
  )
    kind = "auth";
  else if (typeof status === "number" && status >= 400) kind = "invalid_request";
  else kind = "network";
  // The API's own words when it answered (`401 authentication_error: invalid x-api-key`), rather
  // than the SDK's message with the whole JSON body in it.
  const said = (error as { error?: { error?: { message?: unknown } } })?.error?.error?.message;
  const message =
    typeof status === "number" && typeof said === "string"
      ? `${status}${type ? ` ${type}` : ""}: ${said}`
      : ((error as Error)?.message ?? String(error));
  return new ModelError(kind, `${kind}: ${message}`, {
    cause: error,
    retryAfterSeconds,
    status: typeof status === "number" ? status : undefined,
    apiType: type,
  });
}

// The conversation with a cache breakpoint on its last block: the next call, which repeats all
// of it, reads it from the cache.
function withCacheBreakpoint(messages: ModelRequest["messages"]): unknown[] {
  return messages.map((message, index) => {
    if (index !== messages.length - 1 || message.content.length === 0) return message;
    const content = message.content.map((block, at) =>
      at === message.content.length - 1
        ? { ...block, cache_control: { type: "ephemeral" } }
        : block,
    );
    return { ...message, content };
  });
}
