// What the tests' person does for `jada auth google`: opens the printed URL (the loopback Google
// consents and redirects to jada's one-time server), so that the command can finish.
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import type { GoogleFake } from "@jada/google-token/testing";
import { type JadaRun, runJada } from "./run-jada.js";

/** `jada auth google --account ACCOUNT --client-file client_secret.json`, consented. */
export async function authorizeGoogle(
  account: string,
  options: { cwd: string; env?: Record<string, string> },
  extraArgs: string[] = [],
): Promise<JadaRun> {
  let browsed = false;
  return runJada(
    [
      "auth",
      "google",
      "--account",
      account,
      "--client-file",
      "client_secret.json",
      "--no-browser",
      ...extraArgs,
    ],
    {
      ...options,
      onStderr: (stderr) => {
        const url = /\n {2}(http\S+)\n/.exec(stderr)?.[1];
        if (url && !browsed) {
          browsed = true;
          void fetch(url, { redirect: "manual" }).then((response) =>
            fetch(response.headers.get("location") ?? ""),
          );
        }
      },
    },
  );
}

/** A loopback webhook that keeps every JSON body POSTed to it. */
export async function startWebhook<T = Record<string, unknown>>(path = "/hook") {
  const received: T[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as T);
    response.writeHead(200).end("ok");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    async close() {
      server.close();
      await once(server, "close");
    },
  };
}

/**
 * A directory set up for Google: `client_secret.json` (with `clientSecret`) and a
 * `jada.config.json` whose `google` points at the loopback Google, the store at
 * `state/google-tokens.json`, with `extra` keys beside it.
 */
export async function writeGoogleSetup(
  root: string,
  google: GoogleFake,
  options: { clientSecret?: string; extra?: Record<string, unknown> } = {},
): Promise<void> {
  await writeFile(
    join(root, "client_secret.json"),
    JSON.stringify({
      installed: {
        client_id: "123.apps.googleusercontent.com",
        client_secret: options.clientSecret ?? "GOCSPX-test",
      },
    }),
  );
  await writeFile(
    join(root, "jada.config.json"),
    JSON.stringify({
      google: {
        store: "state/google-tokens.json",
        oauth: {
          tokenUrl: google.tokenUrl,
          authUrl: google.authUrl,
          tokenInfoUrl: google.tokenInfoUrl,
        },
      },
      ...options.extra,
    }),
  );
}
