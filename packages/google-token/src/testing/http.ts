// How the loopback Google reads requests and answers: JSON, and Google's API error body.
import type { IncomingMessage, ServerResponse } from "node:http";

/** A request's body as text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON answer. */
export function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** Google's API error (`{ error: { code, message, status, details } }`), with a reason when given. */
export function apiError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  reason?: string,
): void {
  json(response, status, {
    error: {
      code: status,
      message,
      status: code,
      ...(reason
        ? { details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason }] }
        : {}),
    },
  });
}
