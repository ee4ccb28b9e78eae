import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "lightsail-health",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
