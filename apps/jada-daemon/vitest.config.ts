import { defineProject } from "vitest/config";

export default defineProject({
  // The workspace's packages resolve to their TypeScript sources (the `jada-source` condition of
  // their exports), so tests always run today's code, never a stale dist/.
  resolve: { conditions: ["jada-source"] },
  ssr: { resolve: { conditions: ["jada-source"] } },
  test: {
    name: "daemon",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Tests start real peers and subprocesses: on a loaded 2-core machine a process alone can
    // take seconds to boot, far past vitest's 5 s default. Races are bounded by barriers, not
    // by these limits; they only catch a hang.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ["./test/moto-setup.ts"],
  },
});
