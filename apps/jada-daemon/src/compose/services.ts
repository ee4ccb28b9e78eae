// The composition root of the CLI and the daemon: each service is built on first use, once, from
// the configuration and the process's environment. Commands ask for what they need.
import { dirname, resolve } from "node:path";
import type { LightsailClient } from "@aws-sdk/client-lightsail";
import type { LoadedConfig } from "../config/load.js";
import type { JadaConfig } from "../config/schema.js";
import type { CliIo } from "../io.js";
import type { AwsClients } from "./aws-clients.js";
import { type OpenedTaskStore, openTaskStore } from "./task-store.js";

/** The Google token store and manager of the configuration. */
export interface GoogleServices {
  config: JadaConfig["google"];
  store: import("@jada/google-token").TokenStore;
  manager: import("@jada/google-token").TokenManager;
  lib: typeof import("@jada/google-token");
}

/** What the commands and the daemon are composed of. */
export interface Services {
  readonly config: JadaConfig;
  /** The config file, when one was found. */
  readonly configPath: string | undefined;
  /** Where relative paths of the config are resolved: the config file's directory, else cwd. */
  readonly base: string;
  /** Opens the task store (the caller closes it): Postgres with a URL, else SQLite. */
  openTaskStore(dataDirFlag?: string | undefined): Promise<OpenedTaskStore>;
  /** The S3 and CloudFront clients. */
  aws(): Promise<AwsClients>;
  /** A Lightsail client for a region (default `aws.region`). */
  lightsail(region?: string | undefined): Promise<LightsailClient>;
  /** The Google token store and manager. */
  google(): Promise<GoogleServices>;
}

const once = <T>(build: () => Promise<T>): (() => Promise<T>) => {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build();
    return built;
  };
};

/** Composes the services of one run. Nothing is loaded until it is asked for. */
export function createServices(loaded: LoadedConfig, io: CliIo): Services {
  const { config } = loaded;
  const base = loaded.path === undefined ? io.cwd : dirname(loaded.path);
  const lightsailByRegion = new Map<string, Promise<LightsailClient>>();
  return {
    config,
    configPath: loaded.path,
    base,
    openTaskStore: (dataDirFlag) =>
      openTaskStore({ config, env: io.env, cwd: io.cwd, dataDirFlag }),
    // The AWS SDK is loaded here, on use, not when the CLI (or the daemon) starts.
    aws: once(async () => {
      const { createAwsClients } = await import("./aws-clients.js");
      return createAwsClients(config.aws, io.env);
    }),
    lightsail(region) {
      const key = region ?? "";
      let client = lightsailByRegion.get(key);
      if (client === undefined) {
        client = import("./aws-clients.js").then(({ createLightsailClient }) =>
          createLightsailClient(config.aws, io.env, region),
        );
        lightsailByRegion.set(key, client);
      }
      return client;
    },
    // google-auth-library is loaded on use, not when the CLI (or the daemon) starts.
    google: once(async () => {
      const lib = await import("@jada/google-token");
      const store = new lib.TokenStore(resolve(base, config.google.store));
      const manager = lib.createTokenManager({ store, endpoints: config.google.oauth });
      return { config: config.google, store, manager, lib };
    }),
  };
}
