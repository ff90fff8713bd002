import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ProbeNetworkError } from '../../src/probes/outcome';
import { StorageProber, type StorageProbeDef, type StorageProberOptions } from '../../src/probes/storage-probe';
import { freePort } from '../support/bot-process';
import { FakeS3 } from '../support/fake-s3';

const BUCKET = 'invoices-prod';
const ACCESS_KEY_ID = 'AKIAPROBETESTKEY0001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz-probe-secret';

function probe(operation: StorageProbeDef['operation'], overrides: Partial<StorageProbeDef> = {}): StorageProbeDef {
  return { id: `storage-${operation}`, title: `Storage ${operation}`, bucket: BUCKET, operation, ...overrides };
}

describe('storage probe', () => {
  let s3: FakeS3;
  const probers: StorageProber[] = [];
  const servers: Server[] = [];

  const prober = (endpoint = s3.endpoint, opts?: StorageProberOptions) => {
    const p = new StorageProber({ endpoint, region: 'eu-west-1', accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, forcePathStyle: true }, opts);
    probers.push(p);
    return p;
  };

  beforeEach(async () => {
    s3 = await FakeS3.start();
  });

  afterEach(async () => {
    for (const p of probers.splice(0)) p.close();
    await s3.close();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('passes a read of the health-check object and reports its size', async () => {
    s3.bucket(BUCKET, { 'probe/healthcheck.txt': 'ok\n' });

    const outcome = await prober().run(probe('read'));

    expect(outcome.status).toBe('pass');
    expect(outcome.reason).toMatch(/^read invoices-prod\/probe\/healthcheck\.txt: 200, 3 bytes in \d+ ms$/);
    expect(outcome.detail).toMatchObject({ bucket: BUCKET, operation: 'read', key: 'probe/healthcheck.txt', httpStatus: 200, bytesRead: 3 });
  });

  it('reads no more than 4 KB of a large object', async () => {
    s3.bucket(BUCKET, { 'exports/big.bin': Buffer.alloc(2 * 1024 * 1024, 7) });

    const outcome = await prober().run(probe('read', { key: 'exports/big.bin' }));

    expect(outcome.status).toBe('pass');
    expect(outcome.detail).toMatchObject({ bytesRead: 4096 });
  });

  it('fails a read of a missing object, naming the key', async () => {
    s3.bucket(BUCKET);

    const outcome = await prober().run(probe('read', { key: 'invoices/inv_smoke_0001.pdf' }));

    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe("read invoices-prod/invoices/inv_smoke_0001.pdf: NoSuchKey (404) — the object is missing: restore it or fix the probe's key");
    expect(outcome.detail).toMatchObject({ bucket: BUCKET, operation: 'read', httpStatus: 404, errorCode: 'NoSuchKey' });
  });

  it('passes a write after putting one object under the probe prefix and deleting it again', async () => {
    s3.bucket(BUCKET, { 'kept.txt': 'x' });

    const outcome = await prober().run(probe('write'));

    expect(outcome.status).toBe('pass');
    const [put, del, ...rest] = s3.requests;
    expect(rest).toEqual([]);
    expect(put).toMatchObject({ operation: 'PutObject', bucket: BUCKET, key: expect.stringMatching(/^incident-bot-probe\/storage-write-/) });
    expect(del).toMatchObject({ operation: 'DeleteObject', bucket: BUCKET, key: put!.key });
    expect(outcome.reason).toMatch(new RegExp(`^write to invoices-prod: put and delete of ${put!.key} both worked in \\d+ ms$`));
    expect(s3.keys(BUCKET)).toEqual(['kept.txt']);
  });

  it('fails a write the bucket refuses with AccessDenied, and says what refuses it', async () => {
    s3.bucket(BUCKET).deny(BUCKET, 'PutObject');

    const outcome = await prober().run(probe('write'));

    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe("write to invoices-prod: AccessDenied (403) — the bucket policy or the app's role refuses it");
    expect(outcome.detail).toMatchObject({ bucket: BUCKET, operation: 'write', step: 'PutObject', httpStatus: 403, errorCode: 'AccessDenied' });
    expect(s3.requests.map((r) => r.operation)).toEqual(['PutObject']);
    expect(s3.keys(BUCKET)).toEqual([]);
  });

  it('says a refused read may also be a missing key, as S3 hides those from roles that may not list', async () => {
    s3.bucket(BUCKET, { 'probe/healthcheck.txt': 'ok' }).deny(BUCKET, 'GetObject');

    const outcome = await prober().run(probe('read'));

    expect(outcome).toMatchObject({
      status: 'fail',
      reason:
        "read invoices-prod/probe/healthcheck.txt: AccessDenied (403) — the bucket policy or the app's role refuses it (or the key is missing and the role may not list the bucket)",
    });
  });

  it("reports the bot's own bad credentials as an error, and a failing storage service as a fail", async () => {
    s3.bucket(BUCKET).failWith(BUCKET, 'ListObjectsV2', 403, 'InvalidAccessKeyId').failWith(BUCKET, 'PutObject', 503, 'ServiceUnavailable');
    const p = prober();

    expect(await p.run(probe('list'))).toMatchObject({
      status: 'error',
      reason: 'list invoices-prod: InvalidAccessKeyId (403) — the configured access key is unknown to this endpoint: check the storage credentials',
    });
    expect(await p.run(probe('write'))).toMatchObject({
      status: 'fail',
      reason: 'write to invoices-prod: ServiceUnavailable (503) — the storage service is failing: check its status page',
      detail: { httpStatus: 503, errorCode: 'ServiceUnavailable' },
    });
  });

  it("names the standard user's role when a standard-user probe is refused", async () => {
    s3.bucket(BUCKET).deny(BUCKET, 'ListObjectsV2');

    const outcome = await prober().run(probe('list', { as: 'standard-user' }));

    expect(outcome.reason).toBe("list invoices-prod: AccessDenied (403) — the bucket policy or the standard user's role refuses it");
  });

  it('fails a write whose delete is refused, and names the object left behind', async () => {
    s3.bucket(BUCKET).deny(BUCKET, 'DeleteObject');

    const outcome = await prober().run(probe('write'));

    const [left] = s3.keys(BUCKET);
    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe(
      `write to invoices-prod: put worked but delete got AccessDenied (403) — the bucket policy or the app's role refuses it; ${left} is left behind`,
    );
    expect(outcome.detail).toMatchObject({ step: 'DeleteObject', errorCode: 'AccessDenied', key: left });
  });

  it('passes a list asking for one key only', async () => {
    s3.bucket(BUCKET, { 'a.txt': 'a', 'b.txt': 'b' });

    const outcome = await prober().run(probe('list'));

    expect(outcome.status).toBe('pass');
    expect(outcome.reason).toMatch(/^list invoices-prod: 200 in \d+ ms, bucket has objects$/);
    expect(outcome.detail).toMatchObject({ bucket: BUCKET, operation: 'list', httpStatus: 200, keyCount: 1 });
    const [list] = s3.requests;
    expect(new URL(list!.url, 'http://x').searchParams.get('max-keys')).toBe('1');
  });

  it('fails every operation on a bucket that does not exist', async () => {
    const p = prober();
    for (const operation of ['read', 'write', 'list'] as const) {
      const outcome = await p.run(probe(operation, { bucket: 'invoices-prdo' }));
      expect(outcome.status).toBe('fail');
      expect(outcome.reason).toMatch(/: NoSuchBucket \(404\) — no such bucket at this endpoint: check the bucket name and region$/);
      expect(outcome.detail).toMatchObject({ bucket: 'invoices-prdo', operation, httpStatus: 404, errorCode: 'NoSuchBucket' });
    }
  });

  it('throws ProbeNetworkError when nothing listens at the endpoint', async () => {
    const port = await freePort();
    const started = performance.now();

    const err = await prober(`http://127.0.0.1:${port}`, { timeoutMs: 2_000 })
      .run(probe('list'))
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect((err as Error).message).toMatch(/^list invoices-prod: storage endpoint unreachable \(.*ECONNREFUSED.*\)$/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('throws ProbeNetworkError after the timeout when the endpoint accepts but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const started = performance.now();

    const err = await prober(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { timeoutMs: 300 })
      .run(probe('read'))
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect((err as ProbeNetworkError).message).toBe('read invoices-prod/probe/healthcheck.txt: storage endpoint unreachable (no answer within 300 ms)');
    expect(performance.now() - started).toBeLessThan(1_500);
    for (const s of sockets) s.destroy();
  });

  it('never puts the secret access key in an outcome, an error or a request', async () => {
    s3.bucket(BUCKET, { 'probe/healthcheck.txt': 'ok' }).bucket('locked').deny('locked', 'PutObject', 'GetObject', 'ListObjectsV2');
    const p = prober();
    const seen: string[] = [];
    for (const bucket of [BUCKET, 'locked', 'missing']) {
      for (const operation of ['read', 'write', 'list'] as const) {
        seen.push(JSON.stringify(await p.run(probe(operation, { bucket }))));
      }
    }
    const down = await prober(`http://127.0.0.1:${await freePort()}`)
      .run(probe('write'))
      .catch((e: Error) => e);
    seen.push(String(down), String((down as Error).stack));

    expect(seen.join('\n')).not.toContain(SECRET);
    expect(JSON.stringify(s3.requests.map((r) => ({ url: r.url, headers: r.headers, body: r.body.toString() })))).not.toContain(SECRET);
  });
});
