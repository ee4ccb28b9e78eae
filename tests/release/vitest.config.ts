import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "release",
    include: ["*.test.ts"],
    // Starts a registry, publishes five packages and installs from it: minutes, not
    // milliseconds, on a cold cache, and several more on a loaded machine (measured: past 2 min
    // with a CPU hog on both cores).
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
