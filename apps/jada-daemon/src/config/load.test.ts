import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JadaCliError } from "../errors.js";
import { loadConfig } from "./load.js";
import { configJsonSchema } from "./schema.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "jada-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("loadConfig", () => {
  it("uses built-in defaults when there is no file", async () => {
    const loaded = await loadConfig({ env: {}, cwd: dir });
    expect(loaded.source).toBe("built-in defaults");
    expect(loaded.path).toBeUndefined();
    expect(loaded.config.lint).toEqual({ extensions: ["html", "htm"], format: "stylish" });
  });

  it("reads ./jada.config.json, then JADA_CONFIG, then --config, each winning over the last", async () => {
    await write("jada.config.json", { lint: { format: "json" } });
    const fromEnv = await write("env.json", { lint: { format: "sarif" } });
    const fromFlag = await write("flag.json", { lint: { maxWarnings: 3 } });

    const byDefault = await loadConfig({ env: {}, cwd: dir });
    expect([byDefault.source, byDefault.config.lint.format]).toEqual(["default file", "json"]);

    const byEnv = await loadConfig({ env: { JADA_CONFIG: fromEnv }, cwd: dir });
    expect([byEnv.source, byEnv.path, byEnv.config.lint.format]).toEqual([
      "JADA_CONFIG",
      fromEnv,
      "sarif",
    ]);

    const byFlag = await loadConfig({ flag: "flag.json", env: { JADA_CONFIG: fromEnv }, cwd: dir });
    expect([byFlag.source, byFlag.path, byFlag.config.lint.maxWarnings]).toEqual([
      "--config",
      fromFlag,
      3,
    ]);
  });

  it("fails when a named file does not exist", async () => {
    await expect(loadConfig({ flag: "missing.json", env: {}, cwd: dir })).rejects.toMatchObject({
      code: "CONFIG_NOT_FOUND",
      message: "config file not found: missing.json (from --config)",
    });
    await expect(
      loadConfig({ env: { JADA_CONFIG: "/nope.json" }, cwd: dir }),
    ).rejects.toMatchObject({
      code: "CONFIG_NOT_FOUND",
      message: "config file not found: /nope.json (from JADA_CONFIG)",
    });
  });

  it("names the file and the position of a JSON syntax error", async () => {
    const path = await write("jada.config.json", '{\n  "lint": { "format": "json", }\n}');
    const error = await loadConfig({ env: {}, cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JadaCliError);
    expect((error as JadaCliError).code).toBe("CONFIG_INVALID");
    expect((error as JadaCliError).message).toBe(`${path}: not valid JSON at line 2, column 31`);
  });

  it("accepts a byte order mark, and never echoes the file's bytes", async () => {
    const bom = join(dir, "bom.json");
    await writeFile(bom, `\ufeff${JSON.stringify({ agent: { dailySessions: 3 } })}`);
    const loaded = await loadConfig({ flag: bom, env: {}, cwd: dir });
    expect(loaded.config.agent.dailySessions).toBe(3);

    const binary = join(dir, "binary.json");
    await writeFile(binary, Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a]));
    await expect(loadConfig({ flag: binary, env: {}, cwd: dir })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: `${binary}: not a text file (a NUL byte at offset 1): a config is a JSON file in UTF-8`,
    });
    const latin1 = join(dir, "latin1.json");
    await writeFile(latin1, Buffer.from('{"a": "caf\xe9"}', "latin1"));
    await expect(loadConfig({ flag: latin1, env: {}, cwd: dir })).rejects.toMatchObject({
      message: expect.stringContaining("not a text file (invalid UTF-8)"),
    });
    // A secret in a broken file stays out of the message.
    const secret = join(dir, "secret.json");
    await writeFile(secret, '{"webhook": sk-live-123}');
    const error = (await loadConfig({ flag: secret, env: {}, cwd: dir }).catch(
      (e: unknown) => e,
    )) as JadaCliError;
    expect(error.message).toBe(`${secret}: not valid JSON`);
    const empty = join(dir, "empty.json");
    await writeFile(empty, "\n");
    await expect(loadConfig({ flag: empty, env: {}, cwd: dir })).rejects.toMatchObject({
      message: `${empty}: empty file: write {} for every default`,
    });
  });

  it("names the file and every offending key", async () => {
    const path = await write("jada.config.json", {
      lint: { maxWarnings: "ten", format: "xml", extensions: ["html", "no spaces"] },
      lnt: {},
    });
    const error = (await loadConfig({ env: {}, cwd: dir }).catch(
      (e: unknown) => e,
    )) as JadaCliError;
    expect(error.code).toBe("CONFIG_INVALID");
    const lines = error.message.split("\n");
    expect(lines[0]).toBe(`${path}: invalid configuration`);
    expect(
      lines
        .slice(1)
        .map((line) => line.trim().split(":")[0])
        .sort(),
    ).toEqual(["lint.extensions[1]", "lint.format", "lint.maxWarnings", "lnt"].sort());
    expect(error.message).toContain("lnt: unknown key");
  });

  it("refuses a dollar budget without prices to count dollars by", async () => {
    await write("jada.config.json", { agent: { dailyUsd: 5 } });
    const error = (await loadConfig({ env: {}, cwd: dir }).catch(
      (e: unknown) => e,
    )) as JadaCliError;
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain("agent.dailyUsd: agent.dailyUsd needs agent.price");
  });

  it("accepts the $schema key that editors use", async () => {
    await write("jada.config.json", {
      $schema: "./node_modules/@jada/daemon/jada.config.schema.json",
    });
    await expect(loadConfig({ env: {}, cwd: dir })).resolves.toMatchObject({
      source: "default file",
    });
  });
});

describe("jada.config.schema.json", () => {
  it("is generated from the zod schema (run `npm run schema -w @jada/daemon` after changing it)", async () => {
    const committed = JSON.parse(
      await readFile(new URL("../../jada.config.schema.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(configJsonSchema());
  });
});
