import { defineConfig } from "vitest/config";

// One run over every workspace: each package's own vitest.config.ts is a project.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
    reporters: ["default", "./scripts/vitest-summary-reporter.ts"],
  },
});
