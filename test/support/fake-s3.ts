/**
 * A tiny S3-compatible server on loopback for storage probe tests: path-style addressing
 * (`/{bucket}/{key}`), GetObject, PutObject, DeleteObject, ListObjectsV2 and S3's XML errors.
 * It does not check signatures; it records every request so a test can see what went over the wire.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type S3Operation = 'GetObject' | 'PutObject' | 'DeleteObject' | 'ListObjectsV2';

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  operation: S3Operation | 'unsupported';
  bucket: string;
  key: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface StoredObject {
  body: Buffer;
  lastModified: Date;
}

interface Bucket {
  objects: Map<string, StoredObject>;
  /** Operations answered with an S3 error instead of being carried out. */
  errors: Map<S3Operation, { status: number; code: string; message: string }>;
}

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
// A body this big is a bug in the client under test, not a probe: refuse rather than buffer it.
const MAX_BODY = 1024 * 1024;

export class FakeS3 {
  readonly requests: RecordedRequest[] = [];
  private readonly buckets = new Map<string, Bucket>();
  private server: Server | null = null;
  private port = 0;

  /** Starts listening on 127.0.0.1 on a free port. */
  static async start(): Promise<FakeS3> {
    const fake = new FakeS3();
    const server = createServer((req, res) => fake.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    fake.server = server;
    fake.port = (server.address() as AddressInfo).port;
    return fake;
  }

  /** The endpoint to give the S3 client (with forcePathStyle: true). */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Creates the bucket if needed and stores `objects` in it. */
  bucket(name: string, objects: Record<string, string | Buffer> = {}): this {
    let bucket = this.buckets.get(name);
    if (!bucket) this.buckets.set(name, (bucket = { objects: new Map(), errors: new Map() }));
    for (const [key, body] of Object.entries(objects)) {
      bucket.objects.set(key, { body: Buffer.from(body), lastModified: new Date() });
    }
    return this;
  }

  /** Answers these operations on an existing bucket with AccessDenied (403), as a bucket policy would. */
  deny(bucketName: string, ...operations: S3Operation[]): this {
    for (const op of operations) this.failWith(bucketName, op, 403, 'AccessDenied', 'Access Denied');
    return this;
  }

  /** Answers `operation` on an existing bucket with this S3 error (InvalidAccessKeyId, SlowDown...). */
  failWith(bucketName: string, operation: S3Operation, status: number, code: string, message = code): this {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) throw new Error(`FakeS3: no bucket ${bucketName}; create it with bucket() first`);
    bucket.errors.set(operation, { status, code, message });
    return this;
  }

  /** The keys a bucket holds now, sorted. */
  keys(bucketName: string): string[] {
    return [...(this.buckets.get(bucketName)?.objects.keys() ?? [])].sort();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    // Keep-alive sockets of the client under test would otherwise hold close() open.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake-s3');
      const [, bucketName = '', ...keyParts] = url.pathname.split('/');
      const bucket = decodeURIComponent(bucketName);
      const key = keyParts.map(decodeURIComponent).join('/');
      const method = req.method ?? 'GET';
      const operation = operationOf(method, key, url.searchParams);
      const body = Buffer.concat(chunks);
      this.requests.push({ method, url: req.url ?? '/', operation, bucket, key, headers: req.headers, body });
      this.answer(res, { operation, bucket, key, body, query: url.searchParams, resource: url.pathname });
    });
  }

  private answer(
    res: ServerResponse,
    req: { operation: S3Operation | 'unsupported'; bucket: string; key: string; body: Buffer; query: URLSearchParams; resource: string },
  ): void {
    const { operation, key, resource } = req;
    if (operation === 'unsupported')
      return error(res, 501, 'NotImplemented', 'This fake implements GetObject, PutObject, DeleteObject and ListObjectsV2 only', resource);
    const bucket = this.buckets.get(req.bucket);
    if (!bucket) return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', resource);
    const failure = bucket.errors.get(operation);
    if (failure) return error(res, failure.status, failure.code, failure.message, resource);

    switch (operation) {
      case 'GetObject': {
        const object = bucket.objects.get(key);
        if (!object) return error(res, 404, 'NoSuchKey', 'The specified key does not exist.', resource);
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': object.body.length,
          etag: etagOf(object.body),
          'last-modified': object.lastModified.toUTCString(),
          'x-amz-request-id': requestId(),
        });
        res.end(object.body);
        return;
      }
      case 'PutObject':
        bucket.objects.set(key, { body: req.body, lastModified: new Date() });
        res.writeHead(200, { etag: etagOf(req.body), 'content-length': 0, 'x-amz-request-id': requestId() });
        res.end();
        return;
      case 'DeleteObject':
        // S3 answers 204 whether or not the key existed.
        bucket.objects.delete(key);
        res.writeHead(204, { 'x-amz-request-id': requestId() });
        res.end();
        return;
      case 'ListObjectsV2':
        return this.list(res, req.bucket, bucket, req.query);
    }
  }

  private list(res: ServerResponse, name: string, bucket: Bucket, query: URLSearchParams): void {
    const prefix = query.get('prefix') ?? '';
    const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000), 1000);
    // The continuation token is simply the last key returned: enough for a fake.
    const after = query.get('continuation-token') ?? query.get('start-after') ?? '';
    const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const o = bucket.objects.get(k)!;
        return `<Contents><Key>${xml(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xml(etagOf(o.body))}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const next = truncated && page.length ? `<NextContinuationToken>${xml(page[page.length - 1]!)}</NextContinuationToken>` : '';
    const body =
      `${XML_HEADER}<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(name)}</Name><Prefix>${xml(prefix)}</Prefix>` +
      `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': requestId() });
    res.end(body);
  }
}

function operationOf(method: string, key: string, query: URLSearchParams): S3Operation | 'unsupported' {
  if (key) {
    if (method === 'GET') return 'GetObject';
    if (method === 'PUT') return 'PutObject';
    if (method === 'DELETE') return 'DeleteObject';
    return 'unsupported';
  }
  return method === 'GET' && query.get('list-type') === '2' ? 'ListObjectsV2' : 'unsupported';
}

/** An S3-style error: the SDK reads `Code` into the error's name and the status into $metadata. */
function error(res: ServerResponse, status: number, code: string, message: string, resource: string): void {
  const id = requestId();
  const body = `${XML_HEADER}<Error><Code>${code}</Code><Message>${xml(message)}</Message><Resource>${xml(resource)}</Resource><RequestId>${id}</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': id });
  res.end(body);
}

function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
