import { defineConfig } from "vitest/config";

// One run over every workspace: each package's own vitest.config.ts is a project, and so is
// each folder of tests/ (whole-repository tests, such as publishing to a registry).
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "tests/*"],
    reporters: ["default", "./scripts/vitest-summary-reporter.ts"],
  },
});
