import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "release",
    include: ["*.test.ts"],
    // Starts a registry and installs from it: minutes, not milliseconds, on a cold cache.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
