// The daemon listens from its start, but loads its HTTP server on the first connection. Loading
// node:http and the dashboard costs about 8 MB of RSS; most daemons are asked nothing for days,
// and they pay nothing. A plain TCP listener holds each connection paused until the server is
// there, then hands it over: nothing a client sends is lost or read twice.
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import type { JobRunEnded } from "@jada/orchestrator";
import { isLoopback } from "./security.js";
import type { HttpApp } from "./server.js";

/** Options of {@link listenLazily}. */
export interface ListenOptions {
  host: string;
  port: number;
  /** Needed unless `host` is loopback. */
  token: string | undefined;
  /** Builds the server on the first connection; `loopback` says how the address was judged. */
  load: (loopback: boolean) => Promise<HttpApp>;
  /** Told once the last connection has been closed for `quietMs` (a visit is over). */
  onQuiet?: (() => void) | undefined;
  /** Default 30 s. */
  quietMs?: number | undefined;
}

/** The listening daemon server. */
export interface HttpListener {
  /** `http://host:port` (the port chosen when 0 was asked). */
  readonly url: string;
  /** Whether the server was loaded (a connection came). */
  readonly loaded: boolean;
  /** The scheduler's `onRunEnd`: kept until the server loads, then its metrics count them. */
  jobRunEnded(end: JobRunEnded): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Where an HTTP address cannot be served: a public address without a token. */
export class HttpConfigError extends Error {
  override readonly name = "HttpConfigError";
}

/**
 * Listens on `host:port`; the server is loaded on the first connection.
 *
 * @throws {HttpConfigError} when `host` is not loopback and there is no token.
 * @throws the listen error (`EADDRINUSE`, `EADDRNOTAVAIL`, `EACCES`) as Node gives it.
 */
export async function listenLazily(options: ListenOptions): Promise<HttpListener> {
  const loopback = isLoopback(options.host);
  if (!loopback && options.token === undefined)
    throw new HttpConfigError(
      `http.host ${options.host} is not loopback: set http.token (or JADA_HTTP_TOKEN) so that only you can reach the dashboard, or bind 127.0.0.1 and use jada dashboard INSTANCE`,
    );
  const early: JobRunEnded[] = [];
  let app: Promise<HttpApp> | undefined;
  let ready: HttpApp | undefined;
  const sockets = new Set<Socket>();
  let quiet: ReturnType<typeof setTimeout> | undefined;

  const listener: Server = createServer({ pauseOnConnect: true }, (socket) => {
    clearTimeout(quiet);
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      if (sockets.size > 0 || options.onQuiet === undefined) return;
      quiet = setTimeout(options.onQuiet, options.quietMs ?? 30_000);
      quiet.unref();
    });
    if (app === undefined) {
      app = options.load(loopback).then((loaded) => {
        for (const end of early.splice(0)) loaded.jobRunEnded(end);
        ready = loaded;
        return loaded;
      });
      // A server that cannot load is a bug: every connection is closed rather than left hanging.
      app.catch(() => {});
    }
    app.then(
      (loaded) => {
        loaded.server.emit("connection", socket);
        socket.resume();
      },
      () => socket.destroy(),
    );
  });
  listener.listen(options.port, options.host);
  await Promise.race([
    once(listener, "listening"),
    once(listener, "error").then(([error]) => {
      throw error;
    }),
  ]);
  const address = listener.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    get loaded() {
      return ready !== undefined;
    },
    jobRunEnded(end) {
      if (ready) ready.jobRunEnded(end);
      else early.push(end);
    },
    async close() {
      clearTimeout(quiet);
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      await ready?.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
