import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** A distribution held by the fake. */
interface FakeDistribution {
  /** The DistributionConfig XML as last written (by the fake or by an UpdateDistribution). */
  config: string;
  etag: string;
  /** Bump the ETag right after the next GetDistributionConfig (a concurrent writer). */
  raceNextRead: boolean;
}

interface FakeInvalidation {
  id: string;
  distributionId: string;
  paths: string[];
  callerReference: string;
  polls: number;
}

/** Options of {@link startCloudFrontFake}. */
export interface CloudFrontFakeOptions {
  /** Distribution ids and their initial origin paths. */
  distributions: Record<string, string>;
  /** An invalidation reports `Completed` after this many GetInvalidation calls (default 2). */
  completeAfterPolls?: number;
}

/** A running CloudFront fake, and its controls. */
export interface CloudFrontFake {
  /** Give it to `new CloudFrontClient({ endpoint })`. */
  endpoint: string;
  originPathOf(distributionId: string): string;
  /** Another writer changes the distribution now (its ETag moves on). */
  changeBehindYourBack(distributionId: string): void;
  /** Another writer changes it right after the next read: the next `If-Match` will fail. */
  raceNextRead(distributionId: string): void;
  /** Answer the next `count` CreateInvalidation calls with TooManyInvalidationsInProgress. */
  refuseInvalidations(count: number): void;
  /** Invalidations created so far. */
  readonly invalidations: ReadonlyArray<{ id: string; distributionId: string; paths: string[] }>;
  /** Update requests refused with 412 PreconditionFailed. */
  readonly preconditionFailures: number;
  close(): Promise<void>;
}

const NS = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

function configXml(originPath: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><DistributionConfig xmlns="${NS}"><CallerReference>fake</CallerReference><Comment></Comment><Enabled>true</Enabled><Origins><Quantity>1</Quantity><Items><Origin><Id>site</Id><DomainName>site.s3.amazonaws.com</DomainName><OriginPath>${originPath}</OriginPath><S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig></Origin></Items></Origins><DefaultCacheBehavior><TargetOriginId>site</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy></DefaultCacheBehavior></DistributionConfig>`;
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A loopback CloudFront API speaking the real REST/XML protocol for what a deploy uses:
 * GetDistributionConfig, UpdateDistribution (enforcing `If-Match`, unlike moto),
 * CreateInvalidation (optionally refusing with TooManyInvalidationsInProgress) and
 * GetInvalidation (`InProgress`, then `Completed`, spelled as AWS spells it).
 *
 * @example
 * ```ts
 * const fake = await startCloudFrontFake({ distributions: { E123: "/releases/a" } });
 * const cdn = createCloudFrontCdn(new CloudFrontClient({ endpoint: fake.endpoint, region: "us-east-1", credentials }));
 * ```
 */
export async function startCloudFrontFake(options: CloudFrontFakeOptions): Promise<CloudFrontFake> {
  const distributions = new Map<string, FakeDistribution>();
  for (const [id, originPath] of Object.entries(options.distributions)) {
    distributions.set(id, { config: configXml(originPath), etag: newEtag(), raceNextRead: false });
  }
  const invalidations: FakeInvalidation[] = [];
  let refusals = 0;
  let preconditionFailures = 0;

  const send = (
    response: ServerResponse,
    status: number,
    xml: string,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { "content-type": "text/xml", ...headers });
    response.end(xml);
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    const match = /^\/2020-05-31\/distribution\/([^/]+)\/(config|invalidation)(?:\/([^/]+))?$/.exec(
      url.pathname,
    );
    const distribution = match ? distributions.get(match[1] as string) : undefined;
    if (match === null || distribution === undefined) {
      send(
        response,
        404,
        errorXml("NoSuchDistribution", "The specified distribution does not exist."),
      );
      return;
    }
    const [, id, resource, invalidationId] = match as unknown as [
      string,
      string,
      string,
      string | undefined,
    ];
    const text = await body(request);

    if (resource === "config" && request.method === "GET") {
      send(response, 200, distribution.config, { etag: distribution.etag });
      if (distribution.raceNextRead) {
        distribution.raceNextRead = false;
        distribution.etag = newEtag();
      }
      return;
    }
    if (resource === "config" && request.method === "PUT") {
      if (request.headers["if-match"] !== distribution.etag) {
        preconditionFailures++;
        send(
          response,
          412,
          errorXml(
            "PreconditionFailed",
            "The precondition given in one or more of the request-header fields evaluated to false.",
          ),
        );
        return;
      }
      distribution.config = text;
      distribution.etag = newEtag();
      send(
        response,
        200,
        `<?xml version="1.0"?><Distribution xmlns="${NS}"><Id>${id}</Id><Status>InProgress</Status>${text.replace(/<\?xml[^>]*\?>/, "")}</Distribution>`,
        { etag: distribution.etag },
      );
      return;
    }
    if (resource === "invalidation" && request.method === "POST") {
      if (refusals > 0) {
        refusals--;
        send(
          response,
          400,
          errorXml(
            "TooManyInvalidationsInProgress",
            "Your request contains too many invalidations.",
          ),
        );
        return;
      }
      const paths = [...text.matchAll(/<Path>([^<]*)<\/Path>/g)].map((item) => item[1] as string);
      const callerReference = /<CallerReference>([^<]*)<\/CallerReference>/.exec(text)?.[1] ?? "";
      const existing = invalidations.find(
        (item) => item.distributionId === id && item.callerReference === callerReference,
      );
      const invalidation = existing ?? {
        id: `I${randomBytes(6).toString("hex").toUpperCase()}`,
        distributionId: id,
        paths,
        callerReference,
        polls: 0,
      };
      if (existing === undefined) invalidations.push(invalidation);
      send(response, 201, invalidationXml(invalidation, "InProgress"), {
        location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${id}/invalidation/${invalidation.id}`,
      });
      return;
    }
    if (resource === "invalidation" && request.method === "GET" && invalidationId !== undefined) {
      const invalidation = invalidations.find((item) => item.id === invalidationId);
      if (invalidation === undefined) {
        send(
          response,
          404,
          errorXml("NoSuchInvalidation", "The specified invalidation does not exist."),
        );
        return;
      }
      invalidation.polls++;
      send(
        response,
        200,
        invalidationXml(
          invalidation,
          invalidation.polls >= (options.completeAfterPolls ?? 2) ? "Completed" : "InProgress",
        ),
      );
      return;
    }
    send(
      response,
      400,
      errorXml("InvalidArgument", `unsupported ${request.method} ${url.pathname}`),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");

  const get = (id: string): FakeDistribution => {
    const distribution = distributions.get(id);
    if (distribution === undefined) throw new Error(`the fake has no distribution ${id}`);
    return distribution;
  };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    originPathOf: (id) => /<OriginPath>([^<]*)<\/OriginPath>/.exec(get(id).config)?.[1] ?? "",
    changeBehindYourBack: (id) => {
      get(id).etag = newEtag();
    },
    raceNextRead: (id) => {
      get(id).raceNextRead = true;
    },
    refuseInvalidations: (count) => {
      refusals = count;
    },
    get invalidations() {
      return invalidations.map(({ id, distributionId, paths }) => ({ id, distributionId, paths }));
    },
    get preconditionFailures() {
      return preconditionFailures;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

function newEtag(): string {
  return `E${randomBytes(6).toString("hex").toUpperCase()}`;
}

function invalidationXml(invalidation: FakeInvalidation, status: string): string {
  const items = invalidation.paths.map((path) => `<Path>${path}</Path>`).join("");
  return `<?xml version="1.0"?><Invalidation xmlns="${NS}"><Id>${invalidation.id}</Id><Status>${status}</Status><CreateTime>2026-11-23T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>${invalidation.paths.length}</Quantity><Items>${items}</Items></Paths><CallerReference>${invalidation.callerReference}</CallerReference></InvalidationBatch></Invalidation>`;
}
