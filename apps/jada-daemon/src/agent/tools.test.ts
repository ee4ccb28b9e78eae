import { describe, expect, it } from "vitest";
import { bound, MAX_RESULT_CHARS, redact } from "./tools.js";

describe("what a tool call logs and returns", () => {
  it("masks fields named like secrets and logs a file's content as its size", () => {
    expect(
      redact({
        path: "index.html",
        content: "<p>12345</p>",
        apiKey: "sk-ant-secret",
        refresh_token: "1//secret",
        password: "hunter2",
        site: "sailjada",
      }),
    ).toEqual({
      path: "index.html",
      content: "(12 characters)",
      apiKey: "***",
      refresh_token: "***",
      password: "***",
      site: "sailjada",
    });
    expect(redact("plain")).toBe("plain");
  });

  it("cuts a result past the bound, saying how much was left out and how to ask for less", () => {
    expect(bound("short")).toBe("short");
    const long = "x".repeat(MAX_RESULT_CHARS * 3);
    const cut = bound(long);
    expect(cut.startsWith("x".repeat(MAX_RESULT_CHARS))).toBe(true);
    expect(cut).toMatch(/\[cut: 8000 of 24000 characters shown; ask for less/);
    expect(cut.length).toBeLessThan(MAX_RESULT_CHARS + 200);
  });
});
