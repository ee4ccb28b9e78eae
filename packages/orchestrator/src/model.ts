/** A block of a message, in the Messages API's shape (the subset the runner uses). */
export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean };

/** One message of the conversation. */
export interface Message {
  role: "user" | "assistant";
  content: ContentBlock[];
}

/** A tool as the model sees it. */
export interface ToolSpec {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
}

/** What one turn asks of the model. */
export interface ModelRequest {
  system: string;
  tools: ToolSpec[];
  messages: Message[];
}

/** Tokens of one call (or summed over a session). */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** What the model answered. */
export interface ModelResponse {
  content: ContentBlock[];
  /** `end_turn`, `tool_use`, `max_tokens`, … */
  stopReason: string;
  usage: Usage;
}

/** Why a model call failed, as the runner acts on it. */
export type ModelErrorKind = "rate_limited" | "overloaded" | "auth" | "invalid_request" | "network";

/** A failed model call, classified. */
export class ModelError extends Error {
  override readonly name = "ModelError";
  readonly kind: ModelErrorKind;
  /** Seconds the API asked to wait, when it said. */
  readonly retryAfterSeconds: number | undefined;
  /** The HTTP status, when the API answered (401, 429, 529, …). */
  readonly status: number | undefined;
  /** The API's own error type, when it said (`authentication_error`, `overloaded_error`, …). */
  readonly apiType: string | undefined;

  constructor(
    kind: ModelErrorKind,
    message: string,
    options: {
      cause?: unknown;
      retryAfterSeconds?: number | undefined;
      status?: number | undefined;
      apiType?: string | undefined;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.status = options.status;
    this.apiType = options.apiType;
  }
}

/** Port: the model behind the agent (one call = one turn). */
export interface AgentModel {
  /** @throws {ModelError} classified. */
  send(request: ModelRequest): Promise<ModelResponse>;
}
