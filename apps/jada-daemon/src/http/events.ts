// Live updates over one Server-Sent Events stream per page. The hub watches the daemon's
// fingerprint only while someone is watching (an idle daemon spends nothing on it), and at once
// when the store says a task was added (Postgres LISTEN/NOTIFY).
import type { ServerResponse } from "node:http";

/** Options of {@link createEventHub}. */
export interface EventHubOptions {
  /** Changes whenever the pages would; compared between polls. */
  fingerprint: () => Promise<string>;
  /** Another process added a task: look now rather than at the next poll. */
  onTaskAdded: (notify: () => void) => () => void;
  /** Between looks while a client is connected (default 250 ms). */
  pollMs?: number | undefined;
  /** A comment line this often keeps proxies and tunnels from closing an idle stream. */
  keepAliveMs?: number | undefined;
}

/** The hub of the server's event streams. */
export interface EventHub {
  /** Takes a response and keeps it as an event stream until the client goes. */
  attach(response: ServerResponse): void;
  readonly clients: number;
  /** Ends every stream and stops watching. */
  close(): void;
}

/** The hub: one `change` event to every stream whenever the fingerprint moved. */
export function createEventHub(options: EventHubOptions): EventHub {
  const clients = new Set<ServerResponse>();
  // Streams told nothing yet: they get `ready` once a look has taken the baseline they compare
  // against, so a change between the page's render and the stream's start is never lost (the
  // page fetches itself again on `ready`).
  const waiting = new Set<ServerResponse>();
  const pollMs = options.pollMs ?? 250;
  let last: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let unsubscribe: (() => void) | undefined;
  let looking = false;
  let lookAgain = false;
  let id = 0;

  const send = (event: string, data: string) => {
    id++;
    for (const client of clients) client.write(`id: ${id}\nevent: ${event}\ndata: ${data}\n\n`);
  };

  const look = async () => {
    if (looking) {
      lookAgain = true;
      return;
    }
    looking = true;
    clearTimeout(timer);
    try {
      const now = await options.fingerprint();
      if (last !== undefined && now !== last)
        send("change", JSON.stringify({ at: new Date().toISOString() }));
      last = now;
      for (const client of waiting) client.write("event: ready\ndata: {}\n\n");
      waiting.clear();
    } catch {
      // The store is briefly away: the next look tries again; /readyz says so meanwhile.
    } finally {
      looking = false;
      if (lookAgain) {
        lookAgain = false;
        void look();
      } else if (clients.size > 0) timer = setTimeout(() => void look(), pollMs);
    }
  };

  const start = () => {
    unsubscribe = options.onTaskAdded(() => void look());
    keepAlive = setInterval(() => {
      for (const client of clients) client.write(": keep-alive\n\n");
    }, options.keepAliveMs ?? 25_000);
    keepAlive.unref();
    void look();
  };

  const stop = () => {
    clearTimeout(timer);
    clearInterval(keepAlive);
    unsubscribe?.();
    unsubscribe = undefined;
    last = undefined;
  };

  return {
    attach(response) {
      response.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        // Proxies (nginx) must not buffer the stream.
        "x-accel-buffering": "no",
      });
      response.write("retry: 2000\n\n");
      clients.add(response);
      waiting.add(response);
      if (clients.size === 1) start();
      else void look();
      response.on("close", () => {
        clients.delete(response);
        waiting.delete(response);
        if (clients.size === 0) stop();
      });
    },
    get clients() {
      return clients.size;
    },
    close() {
      for (const client of clients) client.end();
      clients.clear();
      waiting.clear();
      stop();
    },
  };
}
