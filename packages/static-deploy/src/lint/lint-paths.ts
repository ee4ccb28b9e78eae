import { relative, resolve } from "node:path";
import { createTwoFilesPatch } from "diff";
import { writeFileAtomic } from "../atomic-write.js";
import { StaticDeployError } from "../errors.js";
import type {
  FixedFile,
  LintFinding,
  LintPathsOptions,
  LintRunResult,
  RefusedFix,
} from "../types.js";
import { collectFiles, DEFAULT_EXTENSIONS } from "./collect-files.js";
import { fixHtml } from "./fix-html.js";
import { LineIndex } from "./line-index.js";
import { analyzeHtml, toFindings } from "./lint-html.js";
import { readSource } from "./read-source.js";

/**
 * Lints files and directories for template braces and broken inline scripts, and optionally
 * fixes them inside a scope. Files that cannot be linted (binary, invalid UTF-8, unreadable)
 * are listed in `skipped`, never silently dropped.
 *
 * @throws {StaticDeployError} `PATH_NOT_FOUND` / `READ_FAILED` for a path given that cannot be
 *   used; `UNKNOWN_SCOPE` when the scope occurs in none of the files; `UNCLOSED_SCOPE` for a
 *   scope marker that is never closed; `FIX_NEEDS_SCOPE` for `fix` without `scope`;
 *   `WRITE_FAILED` when a fixed file cannot be written (the file is left as it was).
 * @example
 * ```ts
 * const result = await lintPaths(["dist/"]);
 * if (result.errorCount > 0) process.exitCode = 1;
 * ```
 */
export async function lintPaths(
  paths: readonly string[],
  options: LintPathsOptions = {},
): Promise<LintRunResult> {
  const { scope, fix = false, dryRun = false } = options;
  if (fix && !scope) {
    throw new StaticDeployError(
      "FIX_NEEDS_SCOPE",
      "--fix needs --scope: a fix only touches a marked section",
    );
  }
  if (dryRun && !fix) {
    throw new StaticDeployError("INVALID_OPTION", "--dry-run only applies to --fix");
  }
  if (scope !== undefined && !/^#?[^\s#]+$/.test(scope)) {
    throw new StaticDeployError(
      "INVALID_OPTION",
      `invalid scope "${scope}": use a marker name (booking) or an element id (#booking)`,
    );
  }
  const cwd = options.cwd ?? process.cwd();
  const { files, skipped } = await collectFiles(
    paths,
    options.extensions ?? DEFAULT_EXTENSIONS,
    cwd,
  );

  const findings: LintFinding[] = [];
  const fixedFiles: FixedFile[] = [];
  const refused: RefusedFix[] = [];
  let scanned = 0;
  let scopeFound = false;

  for (let index = 0; index < files.length; index++) {
    const file = files[index] as string;
    const read = readSource(resolve(cwd, file));
    if ("skipped" in read) {
      skipped.push({ ...read.skipped, file });
      continue;
    }
    scanned++;
    let text = read.text;
    let analysis = analyzeHtml(text, scope);
    const unclosed = analysis.scanned?.unclosedScopeAt;
    if (unclosed !== undefined) {
      const { line } = new LineIndex(text).position(unclosed);
      throw new StaticDeployError(
        "UNCLOSED_SCOPE",
        `${file}:${line}: <!-- jada:scope ${scope} --> is never closed with <!-- /jada:scope ${scope} -->`,
        { path: file },
      );
    }
    scopeFound ||= analysis.scopeFound;

    if (fix && scope && analysis.findings.some((finding) => finding.fix !== undefined)) {
      const result = fixHtml(text, { scope });
      if (result.refused) {
        refused.push({ file, ...result.refused });
      } else if (result.fixed > 0) {
        const shown = relative(cwd, file) || file;
        fixedFiles.push({
          file,
          occurrences: result.fixed,
          diff: unifiedDiff(shown, text, result.output),
        });
        if (!dryRun) {
          await writeFileAtomic(resolve(cwd, file), result.output);
          text = result.output;
          analysis = analyzeHtml(text, scope);
        }
      }
    }
    findings.push(...toFindings(analysis, file));
    options.onFile?.(file, index, files.length);
  }

  if (scope !== undefined && !scopeFound) {
    const what = scope.startsWith("#")
      ? `no element with id="${scope.slice(1)}"`
      : `no <!-- jada:scope ${scope} --> marker`;
    throw new StaticDeployError(
      "UNKNOWN_SCOPE",
      `unknown scope "${scope}": ${what} in ${scanned === 1 ? "the file" : `any of the ${scanned} files`} linted`,
    );
  }

  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const errorCount = findings.filter((finding) => finding.severity === "error").length;
  const result: LintRunResult = {
    files: scanned,
    findings,
    errorCount,
    warningCount: findings.length - errorCount,
    skipped,
  };
  if (fix) {
    result.fix = {
      dryRun,
      occurrences: fixedFiles.reduce((sum, file) => sum + file.occurrences, 0),
      files: fixedFiles,
      refused,
    };
  }
  return result;
}

// A unified diff as git shows it, without the "Index:" banner of the diff package.
function unifiedDiff(file: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, "", "", {
    context: 3,
  });
  return patch.replace(/^=+\n/, "");
}
