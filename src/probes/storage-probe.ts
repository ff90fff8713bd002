import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ProbeNetworkError, type ProbeOutcome } from './outcome';

/** A `kind: storage` probe of a runbook: one operation on one bucket, with one set of credentials. */
export interface StorageProbeDef {
  id: string;
  title: string;
  bucket: string;
  operation: 'read' | 'write' | 'list';
  /** The object `read` fetches; probe/healthcheck.txt when not given. */
  key?: string;
  /** Whose credentials these are, to name the right role when access is refused; 'app' when not given. */
  as?: 'app' | 'standard-user';
}

/** Any S3-compatible endpoint (AWS when `endpoint` is not given). */
export interface StorageTarget {
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle?: boolean;
}

export interface StorageProberOptions {
  /** Bound on one run, every request of it included. */
  timeoutMs?: number;
  /** Where `write` puts its short-lived object; default 'incident-bot-probe/'. */
  probePrefix?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_KEY = 'probe/healthcheck.txt';
// `read` proves the object can be fetched; a large object must not be downloaded during an incident.
const READ_LIMIT_BYTES = 4_096;
// Errors that mean "the endpoint is not there right now": worth another try, not a verdict.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'AbortError']);

/** What an S3 error code means for the person on call, and whether the storage or our setup is at fault. */
const KNOWN_CODES: Record<string, { status: 'fail' | 'error'; hint: (as: string) => string }> = {
  AccessDenied: { status: 'fail', hint: (as) => `the bucket policy or the ${as} role refuses it` },
  AllAccessDisabled: { status: 'fail', hint: () => 'all access to this bucket has been disabled' },
  NoSuchBucket: { status: 'fail', hint: () => 'no such bucket at this endpoint: check the bucket name and region' },
  NoSuchKey: { status: 'fail', hint: () => "the object is missing: restore it or fix the probe's key" },
  SlowDown: { status: 'fail', hint: () => 'the storage service is throttling requests' },
  // These say the bot's own storage settings are wrong, not that the storage is broken.
  InvalidAccessKeyId: { status: 'error', hint: () => 'the configured access key is unknown to this endpoint: check the storage credentials' },
  SignatureDoesNotMatch: { status: 'error', hint: () => 'the configured secret key does not match the access key' },
  ExpiredToken: { status: 'error', hint: () => 'the configured credentials have expired' },
  PermanentRedirect: { status: 'error', hint: () => 'the bucket is in another region than the configured one' },
  AuthorizationHeaderMalformed: { status: 'error', hint: () => 'the bucket is in another region than the configured one' },
};

type Detail = Record<string, unknown>;

/** An S3 answer that was not a success: the endpoint was reached and said no. */
class S3Refusal {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
  ) {}
}

/**
 * Runs storage probes against any S3-compatible endpoint with one SDK client (one connection
 * pool) for every run. Credentials go to the SDK only: reasons, details and errors are scrubbed.
 */
export class StorageProber {
  private readonly client: S3Client;
  private readonly timeoutMs: number;
  private readonly probePrefix: string;
  private readonly secrets: string[];

  constructor(target: StorageTarget, opts: StorageProberOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.probePrefix = opts.probePrefix ?? 'incident-bot-probe/';
    this.secrets = [target.secretAccessKey, target.accessKeyId].filter((s) => s.length >= 4);
    this.client = new S3Client({
      region: target.region,
      endpoint: target.endpoint,
      forcePathStyle: target.forcePathStyle,
      credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
      // The job layer retries network errors with backoff; retries here would eat the timeout.
      maxAttempts: 1,
      // Checksums only where S3 requires them: several S3-compatible stores reject the newer
      // default trailing checksums, and a probe must test permissions, not SDK defaults.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async run(def: StorageProbeDef): Promise<ProbeOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    timer.unref();
    const run = new Run(this.client, abort.signal, def.as ?? 'app');
    try {
      const outcome = await this.operate(def, run, elapsed);
      return this.scrubbed(outcome);
    } catch (err) {
      if (err instanceof ProbeNetworkError) throw new ProbeNetworkError(this.scrub(err.message), err.durationMs);
      const subject = subjectOf(def, def.key ?? DEFAULT_KEY);
      if (abort.signal.aborted || isNetworkError(err)) {
        const why = abort.signal.aborted ? `no answer within ${this.timeoutMs} ms` : describe(err);
        throw new ProbeNetworkError(this.scrub(`${subject}: storage endpoint unreachable (${why})`), elapsed());
      }
      // Neither an answer nor the network: the SDK refused the settings (region, endpoint URL...).
      return this.scrubbed({
        status: 'error',
        reason: `${subject}: the storage client failed before any answer: ${describe(err)}`,
        detail: { bucket: def.bucket, operation: def.operation },
        durationMs: elapsed(),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the SDK client's sockets. */
  close(): void {
    this.client.destroy();
  }

  private async operate(def: StorageProbeDef, run: Run, elapsed: () => number): Promise<ProbeOutcome> {
    const base: Detail = { bucket: def.bucket, operation: def.operation };
    switch (def.operation) {
      case 'read': {
        const key = def.key ?? DEFAULT_KEY;
        const subject = subjectOf(def, key);
        const got = await run.get(def.bucket, key);
        const detail = { ...base, key, ...got.detail };
        if (!got.ok) {
          const outcome = refused(subject, got.refusal, run.as, detail, elapsed());
          // S3 hides a missing key behind 403 from anyone who may not list the bucket.
          if (got.refusal.code === 'AccessDenied') outcome.reason += ' (or the key is missing and the role may not list the bucket)';
          return outcome;
        }
        const size = got.size === undefined ? `${got.bytesRead} bytes read` : `${got.size} bytes`;
        return { status: 'pass', reason: `${subject}: 200, ${size} in ${elapsed()} ms`, detail, durationMs: elapsed() };
      }
      case 'write': {
        const subject = subjectOf(def);
        const key = `${this.probePrefix}${def.id}-${Date.now()}-${randomBytes(4).toString('hex')}.txt`;
        const put = await run.put(def.bucket, key, `incident-bot storage probe ${def.id} at ${new Date().toISOString()}\n`);
        if (!put.ok) return refused(subject, put.refusal, run.as, { ...base, key, step: 'PutObject', ...put.detail }, elapsed());
        let del: Answer<object>;
        try {
          del = await run.delete(def.bucket, key);
        } catch (err) {
          if (!isNetworkError(err) && !run.signal.aborted) throw err;
          const why = run.signal.aborted ? `no answer within ${this.timeoutMs} ms` : describe(err);
          throw new ProbeNetworkError(`${subject}: put worked but delete got no answer (${why}); ${key} may be left behind`, elapsed());
        }
        const detail = { ...base, key, step: 'DeleteObject', ...del.detail };
        if (!del.ok) {
          const r = del.refusal;
          const reason = `${subject}: put worked but delete got ${r.code} (${r.httpStatus}) — ${hintFor(r.code, r.httpStatus, run.as).hint}; ${key} is left behind`;
          return { status: statusFor(r.code), reason, detail, durationMs: elapsed() };
        }
        return { status: 'pass', reason: `${subject}: put and delete of ${key} both worked in ${elapsed()} ms`, detail, durationMs: elapsed() };
      }
      case 'list': {
        const subject = subjectOf(def);
        const listed = await run.list(def.bucket);
        const detail = { ...base, ...listed.detail };
        if (!listed.ok) return refused(subject, listed.refusal, run.as, detail, elapsed());
        const contents = listed.keyCount > 0 ? 'bucket has objects' : 'bucket is empty';
        return { status: 'pass', reason: `${subject}: 200 in ${elapsed()} ms, ${contents}`, detail, durationMs: elapsed() };
      }
      default:
        return {
          status: 'error',
          reason: `${def.bucket}: unknown storage operation "${String(def.operation)}"; use read, write or list`,
          detail: base,
          durationMs: elapsed(),
        };
    }
  }

  private scrub(text: string): string {
    return this.secrets.reduce((t, secret) => t.split(secret).join('[redacted]'), text);
  }

  private scrubbed(outcome: ProbeOutcome): ProbeOutcome {
    const detail = Object.fromEntries(Object.entries(outcome.detail).map(([k, v]) => [k, typeof v === 'string' ? this.scrub(v) : v]));
    return { ...outcome, reason: this.scrub(outcome.reason), detail };
  }
}

/** A success with what it tells, or the S3 error the endpoint answered with. */
type Answer<T> = ({ ok: true } & T & { detail: Detail }) | { ok: false; refusal: S3Refusal; detail: Detail };

/** The S3 calls of one run, all under one abort signal; an S3 error answer comes back as a refusal. */
class Run {
  constructor(
    private readonly client: S3Client,
    readonly signal: AbortSignal,
    readonly as: string,
  ) {}

  get(bucket: string, key: string): Promise<Answer<{ size: number | undefined; bytesRead: number }>> {
    return this.answer(async () => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: this.signal });
      const bytesRead = await readHead(res.Body, this.signal);
      return { ok: true, size: res.ContentLength, bytesRead, detail: { ...meta(res.$metadata), bytesRead } };
    });
  }

  put(bucket: string, key: string, body: string): Promise<Answer<object>> {
    return this.answer(async () => {
      const res = await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain' }), {
        abortSignal: this.signal,
      });
      return { ok: true, detail: meta(res.$metadata) };
    });
  }

  delete(bucket: string, key: string): Promise<Answer<object>> {
    return this.answer(async () => {
      const res = await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: this.signal });
      return { ok: true, detail: meta(res.$metadata) };
    });
  }

  list(bucket: string): Promise<Answer<{ keyCount: number }>> {
    return this.answer(async () => {
      const res = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), { abortSignal: this.signal });
      const keyCount = res.KeyCount ?? res.Contents?.length ?? 0;
      return { ok: true, keyCount, detail: { ...meta(res.$metadata), keyCount } };
    });
  }

  /** Runs `call`; an error that carries an HTTP status becomes a refusal, anything else is rethrown. */
  private async answer<T>(call: () => Promise<Answer<T>>): Promise<Answer<T>> {
    try {
      return await call();
    } catch (err) {
      const metadata = (err as { $metadata?: { httpStatusCode?: unknown; requestId?: string } } | null)?.$metadata;
      const status = metadata?.httpStatusCode;
      if (typeof status !== 'number' || this.signal.aborted) throw err;
      // The SDK names the error after S3's <Code>; a body it could not read leaves a generic name.
      const name = (err as { name?: unknown }).name;
      const code = typeof name === 'string' && name !== 'Error' && name !== 'UnknownError' && name !== 'Unknown' ? name : `HTTP ${status}`;
      return { ok: false, refusal: new S3Refusal(status, code), detail: { httpStatus: status, errorCode: code, requestId: metadata?.requestId } };
    }
  }
}

function meta(m: { httpStatusCode?: number; requestId?: string }): Detail {
  return { httpStatus: m.httpStatusCode, requestId: m.requestId };
}

/** Reads at most READ_LIMIT_BYTES of a response body, then lets go of the rest. */
async function readHead(body: unknown, signal: AbortSignal): Promise<number> {
  const stream = body as (AsyncIterable<Uint8Array> & { destroy?: (err?: Error) => void }) | undefined;
  if (!stream || typeof stream[Symbol.asyncIterator] !== 'function') return 0;
  // The SDK's abort covers the request; once headers are in, the body needs its own cut-off.
  const cut = () => stream.destroy?.(new Error('aborted'));
  signal.addEventListener('abort', cut, { once: true });
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += chunk.length;
      // Leaving the loop destroys the stream, so the rest of a large object is never fetched.
      if (bytes >= READ_LIMIT_BYTES) break;
    }
  } finally {
    signal.removeEventListener('abort', cut);
  }
  return Math.min(bytes, READ_LIMIT_BYTES);
}

function refused(subject: string, r: S3Refusal, as: string, detail: Detail, durationMs: number): ProbeOutcome {
  const { hint } = hintFor(r.code, r.httpStatus, as);
  return { status: statusFor(r.code), reason: `${subject}: ${r.code} (${r.httpStatus}) — ${hint}`, detail, durationMs };
}

function statusFor(code: string): 'fail' | 'error' {
  return KNOWN_CODES[code]?.status ?? 'fail';
}

function hintFor(code: string, httpStatus: number, as: string): { hint: string } {
  const known = KNOWN_CODES[code];
  const role = as === 'standard-user' ? "standard user's" : "app's";
  if (known) return { hint: known.hint(role) };
  if (httpStatus === 403) return { hint: `the storage refuses the ${role} credentials` };
  if (httpStatus >= 500) return { hint: 'the storage service is failing: check its status page' };
  return { hint: 'the storage answered with an error' };
}

/** "read invoices-prod/probe/healthcheck.txt", "write to invoices-prod", "list invoices-prod". */
function subjectOf(def: StorageProbeDef, key?: string): string {
  if (def.operation === 'read') return `read ${def.bucket}/${key ?? def.key ?? DEFAULT_KEY}`;
  if (def.operation === 'write') return `write to ${def.bucket}`;
  return `list ${def.bucket}`;
}

function isNetworkError(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  if (typeof e?.$metadata?.httpStatusCode === 'number') return false;
  if ((typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) || (typeof e?.name === 'string' && NETWORK_NAMES.has(e.name))) return true;
  // An error the SDK did not recognise as an Error (another realm, e.g. under Jest's VM) reaches
  // us re-wrapped with only its text: "AWS SDK error wrapper for Error: connect ECONNREFUSED ...".
  return [...NETWORK_CODES].some((code) => new RegExp(`\\b${code}\\b`).test(describe(err)));
}

// Duck-typed, not instanceof: errors raised by node:net come from another realm under Jest's VM.
function describe(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' && e.message ? e.message : typeof e?.code === 'string' ? e.code : String(err);
  const line = (message.split('\n')[0] ?? '').replace(/^AWS SDK error wrapper for (Error: )?/, '');
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
