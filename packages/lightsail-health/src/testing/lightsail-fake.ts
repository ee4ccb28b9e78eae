import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { METRICS } from "../metrics.js";
import type { Datapoint, HostKey, MetricName } from "../types.js";
import { generateKey, signUserKey } from "./ssh-keys.js";

/** An instance the fake knows. */
export interface FakeInstance {
  address: string;
  username: string;
  hostKeys: HostKey[];
  /** The CA private key that signs the temporary certificates (the sshd trusts its public key). */
  caKeyPath: string;
}

/** Options of {@link startLightsailFake}. */
export interface LightsailFakeOptions {
  instances: Record<string, FakeInstance>;
  /** Datapoints per metric (default: a quiet healthy instance). */
  metrics?: (metric: MetricName, start: Date, end: Date) => Datapoint[];
  /** Minutes a certificate is valid (default 5). */
  certificateMinutes?: number;
  /** The clock of the `expiresAt` it reports (default the real one), to match a test's clock. */
  now?: () => number;
}

/** A running loopback Lightsail API, and its controls. */
export interface LightsailFake {
  endpoint: string;
  /** GetInstanceAccessDetails calls answered. */
  readonly accessRequests: number;
  /** Metric requests, in order: name, unit, period, statistics and window as sent. */
  readonly metricRequests: ReadonlyArray<{
    metric: string;
    unit: string;
    period: number;
    statistics: string[];
    /** Epoch ms. */
    start: number;
    end: number;
  }>;
  /** The next access details carry an already-expired certificate (but claim a future expiry). */
  issueExpiredCertificateNext(): void;
  /** The next access details have expired already, and say so (`expiresAt` in the past). */
  issueExpiredAccessNext(): void;
  /** Replace the host keys reported for an instance (to simulate a mismatch). */
  setHostKeys(instance: string, keys: HostKey[]): void;
  /** Answer the next call of `operation` with an error of `type`. */
  failNext(
    operation: "GetInstanceAccessDetails" | "GetInstanceMetricData",
    type: string,
    message: string,
  ): void;
  close(): Promise<void>;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-requestid": randomBytes(8).toString("hex"),
  });
  response.end(text);
}

/**
 * A loopback Lightsail endpoint speaking the real JSON 1.1 protocol
 * (`x-amz-target: Lightsail_20161128.*`), for the real `@aws-sdk/client-lightsail`:
 * GetInstanceAccessDetails issues a fresh key pair and a certificate signed by a test CA
 * (`ssh-keygen -s`, valid for minutes) with the host keys of a real sshd;
 * GetInstanceMetricData rejects a unit or period Lightsail would reject.
 */
export async function startLightsailFake(options: LightsailFakeOptions): Promise<LightsailFake> {
  const keysDir = await mkdtemp(join(tmpdir(), "jada-lightsail-fake-"));
  let accessRequests = 0;
  let expiredNext = false;
  let expiredAccessNext = false;
  const now = options.now ?? Date.now;
  const metricRequests: Array<{
    metric: string;
    unit: string;
    period: number;
    statistics: string[];
    start: number;
    end: number;
  }> = [];
  const failures = new Map<string, { type: string; message: string }>();
  const quiet = (metric: MetricName, start: Date, end: Date): Datapoint[] => {
    const spec = METRICS[metric];
    const points: Datapoint[] = [];
    for (
      let time = start.getTime() + spec.period * 1000;
      time <= end.getTime();
      time += spec.period * 1000
    ) {
      const value =
        metric === "BurstCapacityPercentage"
          ? 100
          : metric === "CPUUtilization"
            ? 4
            : metric.startsWith("StatusCheck")
              ? 0
              : 1000;
      points.push({ time, average: value, maximum: value, sum: value });
    }
    return points;
  };

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.replace(/^Lightsail_20161128\./, "");
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    } catch {
      json(response, 400, { __type: "InvalidInputException", message: "bad JSON" });
      return;
    }
    const failure = failures.get(operation);
    if (failure) {
      failures.delete(operation);
      json(response, 400, { __type: failure.type, message: failure.message });
      return;
    }
    const instance = options.instances[String(body["instanceName"])];
    if (instance === undefined) {
      json(response, 400, {
        __type: "NotFoundException",
        message: `The Instance does not exist: ${String(body["instanceName"])}`,
      });
      return;
    }
    if (operation === "GetInstanceAccessDetails") {
      accessRequests++;
      const name = `key-${accessRequests}`;
      const key = await generateKey(keysDir, name);
      const saysExpired = expiredAccessNext;
      expiredAccessNext = false;
      const expired = expiredNext || saysExpired;
      expiredNext = false;
      const minutes = options.certificateMinutes ?? 5;
      const certificate = await signUserKey(
        instance.caKeyPath,
        key.path,
        instance.username,
        expired ? "-20m:-10m" : `-1m:+${minutes}m`,
      );
      json(response, 200, {
        accessDetails: {
          certKey: certificate,
          expiresAt: (saysExpired ? now() - 10 * 60_000 : now() + minutes * 60_000) / 1000,
          hostKeys: instance.hostKeys.map((hostKey) => ({
            ...hostKey,
            witnessedAt: Date.now() / 1000,
          })),
          instanceName: String(body["instanceName"]),
          ipAddress: instance.address,
          privateKey: await readFile(key.path, "utf8"),
          protocol: "ssh",
          username: instance.username,
        },
      });
      return;
    }
    if (operation === "GetInstanceMetricData") {
      const metric = String(body["metricName"]) as MetricName;
      const spec = METRICS[metric];
      const unit = String(body["unit"]);
      const period = Number(body["period"]);
      const statistics = (body["statistics"] as string[] | undefined) ?? [];
      const start = new Date(Number(body["startTime"]) * 1000);
      const end = new Date(Number(body["endTime"]) * 1000);
      metricRequests.push({
        metric,
        unit,
        period,
        statistics,
        start: start.getTime(),
        end: end.getTime(),
      });
      // CloudWatch's limit on the points of one request.
      if ((end.getTime() - start.getTime()) / 1000 / period > 1440) {
        json(response, 400, {
          __type: "InvalidInputException",
          message: `${metric}: the requested window and period exceed the maximum of 1,440 data points`,
        });
        return;
      }
      if (
        spec === undefined ||
        unit !== spec.unit ||
        period % spec.period !== 0 ||
        period < spec.period
      ) {
        json(response, 400, {
          __type: "InvalidInputException",
          message: `${metric} needs unit ${spec?.unit} and a period that is a multiple of ${spec?.period}`,
        });
        return;
      }
      const points = (options.metrics ?? quiet)(metric, start, end);
      json(response, 200, {
        metricName: metric,
        metricData: points.map((point) => ({
          timestamp: point.time / 1000,
          average: point.average,
          maximum: point.maximum,
          sum: point.sum,
          unit,
        })),
      });
      return;
    }
    json(response, 400, {
      __type: "InvalidInputException",
      message: `unsupported operation ${operation}`,
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    get accessRequests() {
      return accessRequests;
    },
    metricRequests,
    issueExpiredCertificateNext() {
      expiredNext = true;
    },
    issueExpiredAccessNext() {
      expiredAccessNext = true;
    },
    setHostKeys(name, keys) {
      const instance = options.instances[name];
      if (instance) instance.hostKeys = keys;
    },
    failNext(operation, type, message) {
      failures.set(operation, { type, message });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
      await rm(keysDir, { recursive: true, force: true });
    },
  };
}
