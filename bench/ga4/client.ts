// Which client runs GA4 reports: `@googleapis/analyticsdata` (the googleapis project's per-API
// package) or `fetch` on the REST endpoint with the token store's access token.
//
//   npm run build && node bench/ga4/client.ts [--samples 5]      (npm run bench:ga4)
//
// Each sample is a fresh Node process that makes one runReport against the loopback Google and
// reports the time to the answer (module loading included) and the RSS it added (after a full
// GC). The anchor is a process that only starts and collects: what Node costs alone.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { rm } from "node:fs/promises";
import { parseArgs } from "node:util";
import { benchGoogle } from "../lib/google.ts";

const { values } = parseArgs({ options: { samples: { type: "string", default: "5" } } });
const samples = Number(values.samples);
const ACCOUNT = "ops@sailjada.com";
const PROPERTY = "412345678";

// One child: `mode` chooses the client. Prints {ms, rssAddedBytes, rows}.
const child = `
const [mode, root, token, property] = process.argv.slice(1);
globalThis.gc();
const base = process.memoryUsage().rss;
const start = performance.now();
const body = { metrics: [{ name: "activeUsers" }], dimensions: [{ name: "date" }], dateRanges: [{ startDate: "28daysAgo", endDate: "today" }] };
let rows = 0;
if (mode === "googleapis") {
  const { analyticsdata } = await import("@googleapis/analyticsdata");
  const api = analyticsdata({ version: "v1beta", rootUrl: root, headers: { authorization: "Bearer " + token } });
  const response = await api.properties.runReport({ property: "properties/" + property, requestBody: body });
  rows = response.data.rows?.length ?? 0;
} else if (mode === "fetch") {
  const { createAnalyticsApi } = await import("@jada/google-token/analytics");
  const api = createAnalyticsApi({ account: "x", getAccessToken: async () => token, rootUrl: root });
  rows = (await api.runReport({ property, metrics: ["activeUsers"], dimensions: ["date"] })).rows.length;
}
const ms = performance.now() - start;
globalThis.gc();
console.log(JSON.stringify({ ms, rssAddedBytes: process.memoryUsage().rss - base, rows }));
`;

const { google, dir, manager } = await benchGoogle(ACCOUNT);
const token = await manager.getAccessToken(ACCOUNT);
const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
google.addProperty(PROPERTY, { rows: [{ date: day, activeUsers: 3 }] });

async function sample(mode: string) {
  const process_ = spawn(
    process.execPath,
    ["--expose-gc", "--input-type=module", "-e", child, mode, google.apiRootUrl, token, PROPERTY],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  process_.stdout.on("data", (chunk) => (out += chunk));
  await once(process_, "exit");
  return JSON.parse(out) as { ms: number; rssAddedBytes: number; rows: number };
}
const results: Record<string, Array<{ ms: number; rssAddedBytes: number; rows: number }>> = {
  anchor: [],
  fetch: [],
  googleapis: [],
};
for (let i = 0; i < samples; i++)
  for (const [mode, runs] of Object.entries(results)) runs.push(await sample(mode));
await google.close();
await rm(dir, { recursive: true, force: true });

const median = (list: number[]) =>
  [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
const line = (label: string, mode: string) => {
  const runs = results[mode] ?? [];
  return `| ${label} | ${median(runs.map((r) => r.ms)).toFixed(0)} ms | ${(median(runs.map((r) => r.rssAddedBytes)) / 1048576).toFixed(1)} MiB | ${runs[0]?.rows} |`;
};
process.stdout.write(
  `\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, \`node bench/ga4/client.ts ${process.argv.slice(2).join(" ")}\`:\n\n| client | first report (load included), median of ${samples} | RSS added | rows |\n|---|---|---|---|\n${[
    line("anchor: Node alone", "anchor"),
    line("`fetch` on the REST endpoint (`@jada/google-token/analytics`)", "fetch"),
    line("`@googleapis/analyticsdata`", "googleapis"),
  ].join("\n")}\n`,
);
