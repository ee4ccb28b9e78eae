// A loopback HTTP proxy in front of moto that can answer some requests itself with an S3 error
// (503 SlowDown, 403 AccessDenied), to test retries and error handling with the real SDK.
import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";

export interface Fault {
  status: number;
  code: string;
  message: string;
}

export interface FaultProxy {
  endpoint: string;
  /** Requests answered with a fault, by method. */
  injected: Record<string, number>;
  /** Requests forwarded, by method. */
  forwarded: Record<string, number>;
  /** Decides, per request, whether to answer with a fault instead of forwarding. */
  setFault(decide: ((request: IncomingMessage) => Fault | undefined) | undefined): void;
  /** Sees every request before it is answered (to count uploads, for instance). */
  setObserver(observe: ((request: IncomingMessage) => void) | undefined): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let decide: ((request: IncomingMessage) => Fault | undefined) | undefined;
  let observe: ((request: IncomingMessage) => void) | undefined;
  const injected: Record<string, number> = {};
  const forwarded: Record<string, number> = {};
  const server: Server = createServer((request, response) => {
    const method = request.method ?? "GET";
    observe?.(request);
    const fault = decide?.(request);
    if (fault !== undefined) {
      injected[method] = (injected[method] ?? 0) + 1;
      request.resume();
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>${fault.message}</Message><RequestId>fault</RequestId></Error>`;
      response.writeHead(fault.status, {
        "content-type": "application/xml",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
      return;
    }
    forwarded[method] = (forwarded[method] ?? 0) + 1;
    const proxied = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path: request.url,
        headers: request.headers,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    proxied.on("error", () => response.destroy());
    request.pipe(proxied);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    injected,
    forwarded,
    setFault(next) {
      decide = next;
    },
    setObserver(next) {
      observe = next;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
