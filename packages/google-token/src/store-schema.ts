import { z } from "zod";

/** An OAuth client inline, or a reference to a Google `client_secret_*.json` file. */
export const clientSchema = z.union([
  z.strictObject({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    /** Google's publishing status of the app: `testing` apps lose refresh tokens after 7 days. */
    publishingStatus: z.enum(["testing", "production"]).default("production"),
  }),
  z.strictObject({
    clientFile: z.string().min(1),
    publishingStatus: z.enum(["testing", "production"]).default("production"),
  }),
]);

const isoDate = z.iso.datetime({ offset: true });

/** What the store keeps per account (keyed by email). */
export const accountSchema = z.strictObject({
  client: clientSchema,
  refreshToken: z.string().min(1),
  scopes: z.array(z.string()).default([]),
  refreshTokenObtainedAt: isoDate,
  accessToken: z.string().optional(),
  accessTokenExpiresAt: isoDate.optional(),
  lastRefreshOk: isoDate.optional(),
  lastError: z
    .strictObject({
      code: z.string(),
      at: isoDate,
      message: z.string().optional(),
    })
    .optional(),
});

/** The whole store file. */
export const storeSchema = z.strictObject({
  version: z.literal(1),
  accounts: z.record(z.string(), accountSchema).default({}),
});

export type ClientConfig = z.output<typeof clientSchema>;
export type AccountRecord = z.output<typeof accountSchema>;
export type StoreData = z.output<typeof storeSchema>;
