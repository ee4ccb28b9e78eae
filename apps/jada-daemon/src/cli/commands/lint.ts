import type { LintRunResult } from "@jada/static-deploy";
import { LINT_FORMATS, LINT_RULES, type LintFormat } from "@jada/static-deploy/rules";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { JadaConfig } from "../../config/schema.js";
import { JadaCliError } from "../../errors.js";
import { type CliIo, useColor } from "../../io.js";
import { VERSION } from "../../version.js";
import type { CommandContext } from "../context.js";

interface LintOptions {
  format?: LintFormat;
  json?: boolean;
  maxWarnings?: number;
  quiet?: boolean;
  ext?: string[];
  scope?: string;
  fix?: boolean;
  dryRun?: boolean;
}

/** Exit codes of `jada lint`. */
export const LINT_EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** Adds `jada lint` to the program. */
export function registerLintCommand(program: Command, context: CommandContext): void {
  const rules = LINT_RULES.map(
    (rule) => `  ${rule.id.padEnd(28)} ${rule.severity.padEnd(8)} ${rule.summary}`,
  ).join("\n");
  program
    .command("lint")
    .summary("find unrendered template braces and broken inline scripts in HTML")
    .description(
      "Check HTML files for template syntax that was never rendered ({{ … }}) and for inline " +
        "scripts and JSON blocks that do not parse. Directories are searched recursively " +
        "(node_modules and .git are skipped); paths that hold no file to lint are an error.",
    )
    .argument("<paths...>", "files and directories to lint")
    .addOption(new Option("--format <format>", "output format").choices(LINT_FORMATS))
    .option("--json", "same as --format json")
    .option("--max-warnings <n>", "exit 1 when there are more than n warnings", parseCount)
    .option("--quiet", "report errors only (warnings are neither shown nor counted)")
    .option(
      "--ext <list>",
      "extensions linted in directories, comma-separated (default: html,htm)",
      parseExtensions,
    )
    .option(
      "--scope <name|#id>",
      "only check between <!-- jada:scope NAME --> and <!-- /jada:scope NAME -->, or inside the element with that id",
    )
    .option(
      "--fix",
      "inside the scope, rewrite {{ expr }} in script code to {expr} and doubled braces to single ones (needs --scope)",
    )
    .option("--dry-run", "with --fix: print the unified diff and write nothing")
    .addHelpText(
      "after",
      `
Rules:
${rules}

Exit codes: 0 no errors (and warnings within --max-warnings), 1 findings over that,
2 usage or I/O errors, or no file to lint (a wrong path must not pass a deploy gate).

Examples:
  jada lint site/                          lint every .html/.htm under site/
  jada lint --format sarif site/ > lint.sarif
  jada lint --scope booking --fix --dry-run site/index.html
  jada lint --scope '#booking-widget' --fix site/index.html`,
    )
    .action(async (paths: string[], options: LintOptions) => {
      context.exit(await runLint(paths, options, context.io, (await context.config()).config));
    });
}

async function runLint(
  paths: string[],
  options: LintOptions,
  io: CliIo,
  config: JadaConfig,
): Promise<number> {
  // The linter is loaded on use: `jada daemon` never pays for it.
  const { formatJson, formatSarif, formatStylish, lintPaths } = await import("@jada/static-deploy");
  if (options.json && options.format !== undefined && options.format !== "json") {
    throw new JadaCliError("USAGE", `--json contradicts --format ${options.format}`);
  }
  if (options.fix && options.scope === undefined) {
    throw new JadaCliError(
      "USAGE",
      "--fix needs --scope NAME or --scope '#id': a fix only touches a marked section",
    );
  }
  if (options.dryRun && !options.fix) {
    throw new JadaCliError("USAGE", "--dry-run only applies to --fix");
  }
  const format: LintFormat = options.json ? "json" : (options.format ?? config.lint.format);
  const maxWarnings = options.maxWarnings ?? config.lint.maxWarnings;
  const progress = createProgress(io);

  let result: LintRunResult;
  try {
    result = await lintPaths(paths, {
      extensions: options.ext ?? config.lint.extensions,
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      fix: options.fix ?? false,
      dryRun: options.dryRun ?? false,
      cwd: io.cwd,
      onFile: progress.update,
    });
  } finally {
    progress.clear();
  }
  if (result.files === 0 && result.skipped.length === 0) {
    const extensions = (options.ext ?? config.lint.extensions).join(", ");
    throw new JadaCliError(
      "USAGE",
      `no files to lint in ${paths.join(" ")} (looked for ${extensions}): check the path, or pass --ext`,
    );
  }

  if (options.quiet) {
    result = {
      ...result,
      findings: result.findings.filter((f) => f.severity === "error"),
      warningCount: 0,
    };
  }

  for (const skipped of result.skipped)
    io.stderr.write(`jada lint: skipped ${skipped.file}: ${skipped.message}\n`);

  if (format === "json") io.stdout.write(formatJson(result));
  else if (format === "sarif")
    io.stdout.write(formatSarif(result, { cwd: io.cwd, toolVersion: VERSION }));
  else {
    if (result.fix?.dryRun) for (const file of result.fix.files) io.stdout.write(file.diff);
    io.stdout.write(formatStylish(result, { color: useColor(io.stdout, io.env) }));
  }

  if (result.fix) {
    const { occurrences, files, refused, dryRun } = result.fix;
    for (const refusal of refused) {
      io.stderr.write(
        `jada lint: not fixed ${refusal.file}:${refusal.line}:${refusal.column}: ${refusal.message}\n`,
      );
    }
    const verb = dryRun ? "would fix" : "fixed";
    io.stderr.write(
      `${verb} ${occurrences} occurrence${occurrences === 1 ? "" : "s"} in ${files.length} file${files.length === 1 ? "" : "s"}\n`,
    );
  }

  if (result.skipped.some((skipped) => skipped.reason === "unreadable")) return LINT_EXIT.usage;
  if (result.errorCount > 0) return LINT_EXIT.findings;
  if (maxWarnings !== undefined && result.warningCount > maxWarnings) {
    io.stderr.write(
      `jada lint: ${result.warningCount} warnings, more than --max-warnings ${maxWarnings}\n`,
    );
    return LINT_EXIT.findings;
  }
  return LINT_EXIT.ok;
}

// A one-line counter on stderr, only on a terminal and only for runs long enough to need one.
function createProgress(io: CliIo): {
  update: (file: string, index: number, total: number) => void;
  clear: () => void;
} {
  const enabled = io.stderr.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(_file, index, total) {
      if (!enabled || total < 200) return;
      const now = Date.now();
      if (now - last < 100 && index + 1 < total) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\u001b[2Klinting ${index + 1}/${total} files`);
    },
    clear() {
      if (shown) io.stderr.write("\r\u001b[2K");
    },
  };
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number >= 0");
  return Number(value);
}

function parseExtensions(value: string): string[] {
  const list = value
    .split(",")
    .map((ext) => ext.trim())
    .filter((ext) => ext !== "");
  if (list.length === 0 || list.some((ext) => !/^\.?[A-Za-z0-9][A-Za-z0-9.-]*$/.test(ext))) {
    throw new InvalidArgumentError("expected extensions such as html,htm");
  }
  return list;
}
