// Request headers of the config whose values may come from the environment: a value that is
// exactly `$NAME` is the variable NAME, so a token lives in the environment, not in the file.

/**
 * The headers with `$NAME` values read from `env`.
 *
 * @param where what the headers belong to, for the message (`alerts.webhook.headers`).
 * @throws {Error} naming the header and the variable, when the variable is not set.
 */
export function headersFromEnv(
  headers: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const variable = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(value)?.[1];
    const found = variable === undefined ? value : env[variable];
    if (found === undefined)
      throw new Error(`${where}.${name} reads $${variable}, which is not set`);
    resolved[name] = found;
  }
  return resolved;
}
