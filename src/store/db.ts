import { NotWrittenError } from '../core/errors';
import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type QueryConfig } from 'pg';

/**
 * A row as pg hands it over. Its column types are fixed by the migrations, and each mapper in the
 * store names the columns it reads, so this is the one place the store admits an untyped value.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Row = Record<string, any>;

export interface PoolLimits {
  /** Give up waiting for a connection (new or from the pool) after this long. */
  connectMs: number;
  /** Postgres cancels a statement running longer than this, and rolls it back. */
  statementMs: number;
  /** Stop waiting for an answer after this long, even when the server never replies. */
  queryMs: number;
}

/** For everything but declares: generous, but nothing waits forever on a stalled database. */
export const DEFAULT_LIMITS: PoolLimits = { connectMs: 5_000, statementMs: 10_000, queryMs: 15_000 };

/**
 * For declares, which are recorded before Slack's 3-second ack: fail fast, and fail on the server's
 * side where possible (a cancelled statement is known not to have been written).
 */
export const DECLARE_LIMITS: PoolLimits = { connectMs: 1_000, statementMs: 1_500, queryMs: 10_000 };

export function createPool(databaseUrl: string, max = 10, limits: PoolLimits = DEFAULT_LIMITS): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: limits.connectMs,
    statement_timeout: limits.statementMs,
    query_timeout: limits.queryMs,
    // A transaction left open by a stalled client must not hold row locks for long.
    idle_in_transaction_session_timeout: 30_000,
    // Keep idle connections open (pg closes them after 10 s by default): on-call clicks come
    // seconds or minutes apart, and a click after a quiet spell opened connections and prepared
    // statements anew (measured: 57-122 ms after 12 s of quiet, 14-21 ms after 1 s). The pool still
    // holds at most `max`, and keepAlive below finds a connection whose peer is gone.
    idleTimeoutMillis: 0,
    // Notice a peer that vanished (a dropped proxy, a killed server) without waiting for a query.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Every way of getting a connection from `pool` (pool.query included) fails with NotWrittenError
 * when none could be had: a request that never reached Postgres recorded nothing, and the person
 * who sent it can be told so plainly. Only after start, so start's own messages stay as they are.
 */
export function connectFailuresNotWritten(pool: Pool): void {
  const connect = pool.connect.bind(pool) as (cb?: (err: Error | undefined, client?: PoolClient, done?: () => void) => void) => Promise<PoolClient> | void;
  const wrap = (err: unknown) => (err instanceof NotWrittenError ? err : new NotWrittenError(err));
  (pool as { connect: unknown }).connect = (cb?: (err: Error | undefined, client?: PoolClient, done?: () => void) => void) =>
    cb
      ? connect((err, client, done) => cb(err ? wrap(err) : err, client, done))
      : (connect() as Promise<PoolClient>).catch((err: unknown) => Promise.reject(wrap(err)));
}

/**
 * A client from the pool that cannot crash the process: pg emits 'error' on a checked-out client
 * whose connection breaks (a dropped proxy, a killed server), and an unheard 'error' is fatal. The
 * query in flight rejects anyway; release(true) then throws the client away.
 */
export async function checkout(pool: Pool): Promise<PoolClient> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  const release = client.release.bind(client);
  client.release = (err?: Error | boolean) => {
    client.off('error', ignore);
    return release(err);
  };
  return client;
}

export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  // No connection, or one that broke before the transaction began: nothing can have been written.
  const client = await checkout(pool).catch((err: unknown) => {
    throw err instanceof NotWrittenError ? err : new NotWrittenError(err);
  });
  let broken = false;
  try {
    await client.query('BEGIN').catch((err: unknown) => {
      broken = true;
      throw new NotWrittenError(err);
    });
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    // A client whose query timed out or lost its connection may still be mid-statement: never
    // hand it to someone else. One that got a server error is fine once rolled back.
    broken = !isServerError(err);
    if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** An error Postgres answered with (it carries a SQLSTATE): the statement failed and wrote nothing. */
export function isServerError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** A unique index refused the row (SQLSTATE 23505): the statement wrote nothing. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}

/**
 * A named statement: each connection parses and plans it once, not on every call. It matters on
 * the ack path, where Postgres shares the machine with the bot. Name only statements whose result
 * columns are listed, never `*`: a migration must not change a planned statement's result type.
 */
export function prepared(text: string, values: unknown[]): QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `s${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    // The texts are the code's own (a patch's columns vary a little); the cap only guards a mistake.
    if (statementNames.size >= STATEMENT_NAMES_MAX) statementNames.clear();
    statementNames.set(text, name);
  }
  return { name, text, values };
}

/** Each statement's name, computed once: the snapshot's text alone is several kilobytes to hash. */
const statementNames = new Map<string, string>();
const STATEMENT_NAMES_MAX = 1_000;
