import { chmod, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers.js";
import { StaticDeployError } from "../errors.js";
import { lintPaths } from "./lint-paths.js";

const dirty = "<html><body>\n<script>var a = {{ b }};</script>\n</body></html>\n";
const clean = "<html><body><p>ok</p><script>var a = 1;</script></body></html>\n";

async function site(files: Record<string, string | Buffer>): Promise<string> {
  const root = await tempDir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(root, name, ".."), { recursive: true });
    await writeFile(join(root, name), content);
  }
  return root;
}

describe("lintPaths", () => {
  it("walks directories for .html and .htm, skipping node_modules and .git", async () => {
    const root = await site({
      "index.html": dirty,
      "about/index.htm": clean,
      "assets/app.js": "var a = {{ b }};",
      "node_modules/pkg/index.html": dirty,
      ".git/index.html": dirty,
    });
    const result = await lintPaths([root]);
    expect(result.files).toBe(2);
    expect(result.findings.map((finding) => finding.file)).toEqual([
      join(root, "index.html"),
      join(root, "index.html"),
    ]);
    expect(result.errorCount).toBe(2);
    expect(result.warningCount).toBe(0);
  });

  it("lints other extensions when asked, and explicit files whatever their name", async () => {
    const root = await site({ "a.php": dirty, "b.txt": dirty, "c.html": dirty });
    expect((await lintPaths([root], { extensions: [".php"] })).files).toBe(1);
    expect((await lintPaths([join(root, "b.txt")])).files).toBe(1);
  });

  it("keeps relative paths relative", async () => {
    const root = await site({ "x.html": dirty });
    const given = relative(process.cwd(), join(root, "x.html"));
    const result = await lintPaths([given]);
    expect(result.findings[0]?.file).toBe(given);
  });

  it("fails on a path that does not exist", async () => {
    await expect(lintPaths(["/nonexistent/site"])).rejects.toMatchObject({
      code: "PATH_NOT_FOUND",
      message: "no such file or directory: /nonexistent/site",
    });
  });

  it("reports binary, invalid UTF-8 and broken-link files as skipped, and lints empty ones", async () => {
    const root = await site({
      "binary.html": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]),
      "latin1.html": Buffer.concat([
        Buffer.from("<p>ok</p>\n<p>caf"),
        Buffer.from([0xe9]),
        Buffer.from("</p>"),
      ]),
      "empty.html": "",
    });
    await symlink(join(root, "missing.html"), join(root, "dangling.html"));
    const result = await lintPaths([root]);
    expect(result.files).toBe(1);
    expect(result.findings).toEqual([]);
    expect(result.skipped).toEqual([
      {
        file: join(root, "binary.html"),
        reason: "binary",
        message: "binary file (contains NUL bytes)",
      },
      {
        file: join(root, "dangling.html"),
        reason: "unreadable",
        message: "cannot read: broken symbolic link",
      },
      {
        file: join(root, "latin1.html"),
        reason: "invalid-utf8",
        message: "invalid UTF-8 at line 2 (byte 16); convert the file to UTF-8",
      },
    ]);
  });

  it("reports a file that cannot be read as skipped", async () => {
    const root = await site({});
    await mkdir(join(root, "dir.html"));
    // A directory named like a page, given explicitly, is walked (and holds nothing).
    expect((await lintPaths([join(root, "dir.html")])).files).toBe(0);
  });

  it("follows symbolic links to directories once, without looping", async () => {
    const root = await site({ "real/index.html": dirty });
    await symlink(join(root, "real"), join(root, "link"));
    await symlink(root, join(root, "real", "up"));
    const result = await lintPaths([root]);
    expect(result.files).toBe(1);
  });

  it("fails on an unknown scope, naming it", async () => {
    const root = await site({ "a.html": dirty, "b.html": clean });
    await expect(lintPaths([root], { scope: "booking" })).rejects.toMatchObject({
      code: "UNKNOWN_SCOPE",
      message:
        'unknown scope "booking": no <!-- jada:scope booking --> marker in any of the 2 files linted',
    });
    await expect(lintPaths([root], { scope: "#widget" })).rejects.toMatchObject({
      code: "UNKNOWN_SCOPE",
    });
  });

  it("fails on a scope marker that is never closed", async () => {
    const root = await site({
      "a.html": "<p>\n<!-- jada:scope booking -->\n<script>{{ x }}</script>",
    });
    await expect(lintPaths([root], { scope: "booking" })).rejects.toMatchObject({
      code: "UNCLOSED_SCOPE",
      message: expect.stringContaining("a.html:2: <!-- jada:scope booking --> is never closed"),
    });
  });

  it("rejects fix without scope and dry-run without fix", async () => {
    await expect(lintPaths(["."], { fix: true })).rejects.toBeInstanceOf(StaticDeployError);
    await expect(lintPaths(["."], { dryRun: true })).rejects.toMatchObject({
      code: "INVALID_OPTION",
    });
  });
});

describe("lintPaths with fix", () => {
  const page = (id: string) =>
    `<p>{{ outside }}</p>\n<!-- jada:scope booking -->\n<script>var ${id} = {{ data }};</script>\n<!-- /jada:scope booking -->\n`;

  it("writes fixed files atomically, keeping their mode, and reports what it fixed", async () => {
    const root = await site({ "a.html": page("a"), "b.html": page("b"), "c.html": clean });
    await chmod(join(root, "a.html"), 0o640);
    const result = await lintPaths([root], { scope: "booking", fix: true, cwd: root });
    expect(result.fix).toMatchObject({ dryRun: false, occurrences: 2, refused: [] });
    expect(result.fix?.files.map((file) => file.file)).toEqual([
      join(root, "a.html"),
      join(root, "b.html"),
    ]);
    expect(await readFile(join(root, "a.html"), "utf8")).toBe(
      page("a").replace("{{ data }}", "{data}"),
    );
    expect((await stat(join(root, "a.html"))).mode & 0o777).toBe(0o640);
    expect(result.errorCount).toBe(0);
  });

  it("with dryRun, computes the diff and writes nothing", async () => {
    const root = await site({ "a.html": page("a") });
    const result = await lintPaths([root], {
      scope: "booking",
      fix: true,
      dryRun: true,
      cwd: root,
    });
    expect(await readFile(join(root, "a.html"), "utf8")).toBe(page("a"));
    expect(result.fix?.files[0]?.diff).toContain(
      "-<script>var a = {{ data }};</script>\n+<script>var a = {data};</script>",
    );
    expect(result.fix?.files[0]?.diff).toMatch(/^--- a\/a.html\n\+\+\+ b\/a.html\n@@ /);
    expect(result.errorCount).toBe(2); // still there: nothing was written
  });

  it("leaves a file alone when its fix is refused", async () => {
    const broken =
      "<!-- jada:scope booking --><script>var a = {{ b }}; var c = ;</script><!-- /jada:scope booking -->";
    const root = await site({ "a.html": broken });
    const result = await lintPaths([root], { scope: "booking", fix: true });
    expect(result.fix?.refused).toEqual([
      expect.objectContaining({ file: join(root, "a.html"), line: 1 }),
    ]);
    expect(await readFile(join(root, "a.html"), "utf8")).toBe(broken);
  });
});
