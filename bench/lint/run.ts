// Benchmark of the template-brace lint against its anchor, ESLint with eslint-plugin-html.
//
//   npm run build && node bench/lint/run.ts [--mb 150] [--runs 3]
//
// Generates a clean and a dirty corpus (each --mb megabytes of realistic pages) under
// bench/lint/.corpus, then lints each with jada (`lintPaths`, in process) and with ESLint's Node
// API (eslint-plugin-html extracts the inline scripts, espree parses them: what people use to
// catch this as a parse error), in the same process, on the same files, after the same warm-up.
// Both run single-threaded, as they do by default.
// Reports MB/s and the ratio jada / ESLint. Machines here are noisy: compare the ratio.
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { lintPaths } from "@jada/static-deploy";
import { ESLint } from "eslint";
import html from "eslint-plugin-html";
import { writeCorpus } from "./corpus.ts";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "150" },
    runs: { type: "string", default: "3" },
  },
});
const megabytes = Number(values.mb);
const runs = Number(values.runs);
const root = new URL("./.corpus/", import.meta.url).pathname;

interface Measure {
  seconds: number;
  findings: number;
  parseErrors: number;
}

async function timeJada(dir: string): Promise<Measure> {
  const start = performance.now();
  const result = await lintPaths([dir]);
  const seconds = (performance.now() - start) / 1000;
  const parseErrors = result.findings.filter((f) => f.ruleId === "script/parse-error").length;
  return { seconds, findings: result.findings.length, parseErrors };
}

async function timeEslint(dir: string): Promise<Measure> {
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ["**/*.html"], plugins: { html } }],
    cache: false,
  });
  const start = performance.now();
  const results = await eslint.lintFiles(["**/*.html"]);
  const seconds = (performance.now() - start) / 1000;
  let findings = 0;
  let parseErrors = 0;
  for (const result of results) {
    findings += result.messages.length;
    parseErrors += result.messages.filter((message) => message.fatal).length;
  }
  return { seconds, findings, parseErrors };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const rows: string[] = [];
for (const [name, dirty, seed] of [
  ["clean", false, 1],
  ["dirty", true, 2],
] as const) {
  const dir = `${root}${name}`;
  process.stderr.write(`generating the ${name} corpus (${megabytes} MB)...\n`);
  const corpus = await writeCorpus(dir, megabytes, { dirty, seed });
  const mb = corpus.bytes / 1024 / 1024;

  // Warm-up, the same for both tools: one twentieth of the corpus (JIT, module loading).
  await timeJada(`${dir}/section-0`);
  await timeEslint(`${dir}/section-0`);
  const jadaRuns: Measure[] = [];
  for (let i = 0; i < runs; i++) jadaRuns.push(await timeJada(dir));
  const jadaSeconds = median(jadaRuns.map((run) => run.seconds));
  process.stderr.write(`  jada:   ${(mb / jadaSeconds).toFixed(1)} MB/s\n`);

  const eslint = await timeEslint(dir);
  process.stderr.write(`  eslint: ${(mb / eslint.seconds).toFixed(1)} MB/s\n`);

  const jada = jadaRuns[0] as Measure;
  rows.push(
    `| ${name} | ${corpus.files} | ${mb.toFixed(0)} | ${(mb / jadaSeconds).toFixed(1)} | ${(mb / eslint.seconds).toFixed(1)} | ${(eslint.seconds / jadaSeconds).toFixed(1)}x | ${jada.findings} (${jada.parseErrors} parse errors) | ${eslint.findings} (${eslint.parseErrors} parse errors) |`,
  );
}

process.stdout.write(
  [
    `node ${process.version}; both tools warmed up on 1/20 of each corpus; jada: median of ${runs} runs, ESLint: 1 run`,
    "",
    "| corpus | files | MB | jada MB/s | ESLint + eslint-plugin-html MB/s | jada / ESLint | jada findings | ESLint findings |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n"),
);
