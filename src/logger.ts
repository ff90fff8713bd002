import pino, { type DestinationStream, type Logger } from 'pino';

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

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'incident-bot' } };
  return destination ? pino(options, destination) : pino(options);
}
