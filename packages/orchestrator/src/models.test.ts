import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL, modelRetirement } from "./models.js";

describe("model retirements", () => {
  it("says when a configured model retires, and that the default does not", () => {
    expect(modelRetirement("claude-sonnet-4-5", Date.parse("2026-12-01T00:00:00Z"))).toEqual({
      model: "claude-sonnet-4-5",
      retiresOn: "2026-11-30",
      retired: true,
      use: DEFAULT_MODEL,
    });
    expect(modelRetirement("claude-sonnet-4-5", Date.parse("2026-11-01T00:00:00Z"))?.retired).toBe(
      false,
    );
    expect(modelRetirement(DEFAULT_MODEL)).toBeUndefined();
  });
});
