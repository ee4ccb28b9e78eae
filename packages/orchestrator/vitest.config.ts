import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "orchestrator",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Tests start real peers and subprocesses: on a loaded 2-core machine a process alone can
    // take seconds to boot, far past vitest's 5 s default. Races are bounded by barriers, not
    // by these limits; they only catch a hang.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
