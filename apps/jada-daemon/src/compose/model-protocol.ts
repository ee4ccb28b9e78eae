// The messages between the daemon and its model process (compose/model-process.ts and
// model-child.ts), one type for each side.
import type { ModelErrorKind, ModelRequest, ModelResponse } from "@jada/orchestrator";

/** What the daemon sends: the client's settings once (the key never on a command line or in the
 * child's environment), then one request per turn. */
export type ParentMessage =
  | {
      type: "init";
      apiKey: string;
      baseURL: string | undefined;
      model: string;
      maxTokens: number;
    }
  | { type: "request"; id: number; request: ModelRequest };

/** What the child answers: the response, or the classified error. */
export type ChildMessage =
  | { type: "response"; id: number; response: ModelResponse }
  | {
      type: "error";
      id: number;
      kind: ModelErrorKind;
      message: string;
      retryAfterSeconds?: number | undefined;
      status?: number | undefined;
      apiType?: string | undefined;
    };
