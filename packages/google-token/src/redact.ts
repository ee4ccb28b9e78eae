/**
 * Masks a secret for display: its first 4 characters and its length (`1//0…(103 chars)`), enough
 * to tell two tokens apart, never enough to use one.
 */
export function mask(secret: string | undefined | null): string | undefined {
  if (secret === undefined || secret === null || secret === "") return undefined;
  return `${secret.slice(0, 4)}…(${secret.length} chars)`;
}

/**
 * Replaces every occurrence of the given secrets in a text (an upstream error message, a
 * response body) with its mask, so that nothing secret reaches a log or an error.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) out = out.split(secret).join(mask(secret) ?? "");
  }
  return out;
}
