import pino, { stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Paths where a token or secret could ride along in a log object. Censoring beats trusting
// every call site to remember.
const REDACT = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-slack-signature"]',
  'response_url',
  '*.response_url',
  'responseUrl',
  '*.responseUrl',
  'standardUserToken',
  '*.standardUserToken',
  'secretAccessKey',
  '*.secretAccessKey',
  '*.*.secretAccessKey',
  // Escalation webhooks: a generic HMAC key or a PagerDuty routing key, under config.webhooks.<name>.
  'secret',
  '*.secret',
  '*.*.secret',
  '*.*.*.secret',
];

// Tokens as they appear inside error text (Slack's xox…/xapp-…, a bearer header echoed back).
const TOKEN_IN_TEXT = /\b(xox[a-z]-|xapp-)[A-Za-z0-9-]+|\b(Bearer\s+)[^\s"']+/g;

const scrub = (text: unknown): unknown =>
  typeof text === 'string' ? text.replace(TOKEN_IN_TEXT, (_m, slack: string | undefined, bearer: string | undefined) => `${slack ?? bearer}[redacted]`) : text;

/**
 * pino's error serializer (type, message, stack, with causes), but only the fields worth reading:
 * library errors carry enumerable extras (a Slack or HTTP client error keeps the request it sent,
 * Authorization header included) that the redaction paths cannot all foresee.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const full = stdSerializers.err(err) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { type: full.type, message: scrub(full.message), stack: scrub(full.stack) };
  for (const key of ['code', 'errno', 'syscall', 'statusCode'] as const) if (full[key] !== undefined) out[key] = full[key];
  return out;
}

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { err: serializeError }, base: { app: 'incident-bot' } };
  return destination ? pino(options, destination) : pino(options);
}
