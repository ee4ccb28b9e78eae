/** The environment variables that hold the daemon's secrets, kept in the host's env file. */
export const SECRET_VARIABLES = [
  "ANTHROPIC_API_KEY",
  "JADA_ALERT_WEBHOOK_URL",
  "JADA_HTTP_TOKEN",
  "JADA_DATABASE_URL",
] as const;

/** The name of one of the daemon's secrets. */
export type SecretVariable = (typeof SECRET_VARIABLES)[number];
