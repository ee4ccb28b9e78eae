import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "google-token",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
