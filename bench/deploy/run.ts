// Benchmark of `deploySite` (sync mode) against its anchor, `aws s3 sync`, on the same moto
// server in the same run.
//
//   npm run build && node bench/deploy/run.ts [--files 2000] [--mb 50] [--large-mb 0]
//     [--threshold-mb 16] [--part-mb 8] [--part-concurrency 4]
//
// A seeded site of --files files (about --mb MB, mixed sizes, plus one file of --large-mb MB when
// given: the multipart case) is deployed by each tool to its own bucket, three times: (1) first deploy, (2) redeploy from a fresh copy (new mtimes, same
// content), (3) the same copy with 1% of its files edited (same size). Every request goes
// through a counting proxy, so the PUTs (uploads; server-side copies counted apart) are exact.
import { execFile } from "node:child_process";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs, promisify } from "node:util";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { deploySite } from "@jada/static-deploy";
import { createS3ObjectStore } from "@jada/static-deploy/aws";
import { startFaultProxy, startMotoServer } from "@jada/static-deploy/testing";
import { seededRandom } from "../lib/random.ts";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "2000" },
    mb: { type: "string", default: "50" },
    "large-mb": { type: "string", default: "0" },
    "threshold-mb": { type: "string" },
    "part-mb": { type: "string" },
    "part-concurrency": { type: "string" },
  },
});
const largeBytes = Number(values["large-mb"]) * 1024 * 1024;
const MIB = 1024 * 1024;
const storeOptions = {
  ...(values["threshold-mb"] ? { multipartThreshold: Number(values["threshold-mb"]) * MIB } : {}),
  ...(values["part-mb"] ? { partSize: Number(values["part-mb"]) * MIB } : {}),
  ...(values["part-concurrency"] ? { partConcurrency: Number(values["part-concurrency"]) } : {}),
};
const fileCount = Number(values.files);
const targetBytes = Number(values.mb) * 1024 * 1024;
const root = new URL("./.work/", import.meta.url).pathname;

/** Writes the site: many small pages and scripts, some images, a few large files. */
async function writeSite(dir: string): Promise<string[]> {
  const rand = seededRandom(42);
  const kinds = [
    { ext: "html", weight: 0.45, min: 2_000, max: 30_000 },
    { ext: "css", weight: 0.1, min: 1_000, max: 40_000 },
    { ext: "js", weight: 0.15, min: 1_000, max: 80_000 },
    { ext: "jpg", weight: 0.25, min: 20_000, max: 120_000 },
    { ext: "pdf", weight: 0.05, min: 100_000, max: 900_000 },
  ];
  const sizes: Array<{ path: string; size: number }> = [];
  for (let i = 0; i < fileCount; i++) {
    // Pick a kind by weight: walk the cumulative weights up to a uniform draw.
    const draw = rand();
    let cumulative = 0;
    const kind =
      kinds.find((candidate) => {
        cumulative += candidate.weight;
        return draw < cumulative;
      }) ?? (kinds[0] as (typeof kinds)[0]);
    const size = Math.floor(kind.min + rand() * (kind.max - kind.min));
    sizes.push({ path: `section-${i % 25}/item-${i}.${kind.ext}`, size });
  }
  const scale = targetBytes / sizes.reduce((sum, file) => sum + file.size, 0);
  for (const file of sizes) {
    const size = Math.max(64, Math.floor(file.size * scale));
    const bytes = Buffer.alloc(size);
    for (let j = 0; j < size; j += 4)
      bytes.writeUInt32LE((rand() * 0xffffffff) >>> 0, Math.min(j, size - 4));
    await mkdir(join(dir, file.path, ".."), { recursive: true });
    await writeFile(join(dir, file.path), bytes);
  }
  if (largeBytes > 0) {
    // One large file (a video, a PDF bundle): uploaded in parts by both tools.
    const bytes = Buffer.alloc(largeBytes);
    for (let j = 0; j + 4 <= largeBytes; j += 4)
      bytes.writeUInt32LE((rand() * 0xffffffff) >>> 0, j);
    await mkdir(join(dir, "media"), { recursive: true });
    await writeFile(join(dir, "media", "large.bin"), bytes);
    sizes.push({ path: "media/large.bin", size: largeBytes });
  }
  return sizes.map((file) => file.path);
}

/** Edits 1% of the files in place, keeping their size. */
async function editOnePercent(dir: string, paths: string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 100) {
    const file = join(dir, paths[i] as string);
    const bytes = await readFile(file);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
  }
}

await rm(root, { recursive: true, force: true });
const moto = await startMotoServer();
const proxy = await startFaultProxy(moto.endpoint);
let puts = 0;
let copies = 0;
proxy.setObserver((request) => {
  if (
    request.method !== "PUT" ||
    request.url?.startsWith("/?") ||
    /^\/[^/?]+\/?(\?|$)/.test(request.url ?? "")
  )
    return;
  if (request.headers["x-amz-copy-source"]) copies++;
  else if (!request.url?.includes("uploadId=") || request.url.includes("partNumber=")) puts++;
});

const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
const s3 = new S3Client({
  region: "us-east-1",
  endpoint: proxy.endpoint,
  forcePathStyle: true,
  credentials,
  maxAttempts: 6,
});
const awsEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_DEFAULT_REGION: "us-east-1",
};

process.stderr.write(`writing a site of ${fileCount} files (${values.mb} MB)...\n`);
const original = join(root, "site");
const paths = await writeSite(original);
const copyFor = async (tool: string) => {
  const dir = join(root, `copy-${tool}`);
  await cp(original, dir, { recursive: true, preserveTimestamps: false });
  return dir;
};

interface Step {
  seconds: number;
  puts: number;
  copies: number;
}
async function measure(run: () => Promise<void>): Promise<Step> {
  puts = 0;
  copies = 0;
  const start = performance.now();
  await run();
  const step = { seconds: (performance.now() - start) / 1000, puts, copies };
  process.stderr.write(
    `  ${step.seconds.toFixed(2)} s, ${step.puts} PUTs, ${step.copies} copies\n`,
  );
  return step;
}

const results: Record<string, Step[]> = { jada: [], "aws s3 sync": [] };
for (const tool of ["jada", "aws s3 sync"] as const) {
  const bucket = tool === "jada" ? "bench-jada" : "bench-awscli";
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const deploy = (dir: string) =>
    tool === "jada"
      ? async () => {
          await deploySite({
            site: "bench",
            stage: "production",
            dir,
            mode: "sync",
            target: { bucket },
            store: createS3ObjectStore(s3, bucket, storeOptions),
          });
        }
      : async () => {
          // Asynchronously: the counting proxy runs in this process and must keep answering.
          await promisify(execFile)(
            "aws",
            [
              "s3",
              "sync",
              dir,
              `s3://${bucket}`,
              "--endpoint-url",
              proxy.endpoint,
              "--only-show-errors",
            ],
            {
              env: awsEnv,
              maxBuffer: 64 * 1024 * 1024,
            },
          );
        };
  process.stderr.write(`${tool}: first deploy\n`);
  results[tool]?.push(await measure(deploy(original)));
  const fresh = await copyFor(tool === "jada" ? "jada" : "awscli");
  process.stderr.write(`${tool}: redeploy from a fresh copy\n`);
  results[tool]?.push(await measure(deploy(fresh)));
  await editOnePercent(fresh, paths);
  process.stderr.write(`${tool}: 1% changed\n`);
  results[tool]?.push(await measure(deploy(fresh)));
}
await proxy.close();
await moto.stop();
await rm(root, { recursive: true, force: true });

const jada = results["jada"] as Step[];
const aws = results["aws s3 sync"] as Step[];
const names = ["(1) first deploy", "(2) fresh copy, new mtimes", "(3) 1% of files changed"];
const rows = names.map((name, i) => {
  const j = jada[i] as Step;
  const a = aws[i] as Step;
  return `| ${name} | ${j.seconds.toFixed(2)} s | ${j.puts} (+${j.copies} copies) | ${a.seconds.toFixed(2)} s | ${a.puts} | ${(j.seconds / a.seconds).toFixed(2)} |`;
});
process.stdout.write(
  [
    `node ${process.version}, ${fileCount} files, ${values.mb} MB${largeBytes ? ` + one file of ${values["large-mb"]} MB` : ""}, moto behind a counting proxy${Object.keys(storeOptions).length ? `, jada ${JSON.stringify(storeOptions)}` : ""}`,
    "",
    "| step | jada time | jada PUTs | aws s3 sync time | aws s3 sync PUTs | jada / aws time |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n"),
);
