import { isIP, isIPv4 } from 'node:net';
import { z } from 'zod';
import type { ConsoleConfig } from '../adapters/console/settings';
import type { SlackConfig } from '../adapters/slack/settings';
import { TEAMS_APP_TYPES, type TeamsConfig } from '../adapters/teams/settings';
import { cronProblem, timeZoneProblem } from '../digest/period';
import { addressEntryProblem, PRIVATE_NETWORKS } from '../http/addresses';
import { parseAllowedHosts } from '../probes/host-policy';
import { weakTokenProblem } from './token-strength';
import { webhookVariable, type WebhookConfig, type WebhookField, type WebhookPreset } from '../webhooks/variables';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const GUID_LIST = new RegExp(`^\\s*${GUID.source.slice(1, -1)}\\s*(,\\s*${GUID.source.slice(1, -1)}\\s*)*$`);
// A channel's id as its "Get link to channel" URL carries it, decoded: 19:…@thread.tacv2.
const TEAMS_CHANNEL = /^19:[^\s;]+@thread\.(tacv2|skype)$/;
const teamsChannelMessage = (variable: string, what: string) =>
  `${variable} must be a Teams channel ID such as 19:abc123@thread.tacv2 (${what}; channel → ⋯ → Get link to channel, the part after /channel/, URL-decoded)`;

// Each field's message is the fix an operator needs, because the whole list is printed at start.
const envSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL is required: set it to a Postgres URL such as postgres://postgres@127.0.0.1:5432/incident_bot' })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// (for example postgres://postgres@127.0.0.1:5432/incident_bot)'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss:// (for example redis://127.0.0.1:6379)')
    .default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'QUEUE_PREFIX may hold letters, digits, "_", "." and "-" only (at most 64): it prefixes every Redis key')
    .default('incident-bot'),
  PORT: z.coerce
    .number({ error: 'PORT must be a whole number from 0 to 65535 (default 3000)' })
    .int('PORT must be a whole number from 0 to 65535 (default 3000)')
    .min(0, 'PORT must be a whole number from 0 to 65535 (default 3000)')
    .max(65535, 'PORT must be a whole number from 0 to 65535 (default 3000)')
    .default(3000),
  HOST: z
    .string()
    .refine((h) => isIP(h) !== 0 || /^[A-Za-z0-9.-]{1,253}$/.test(h), 'HOST is the address to listen on, e.g. 0.0.0.0 (every IPv4 interface), :: or 127.0.0.1')
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  PLAYBOOKS_DIR: z.string().min(1, 'PLAYBOOKS_DIR must name the folder of runbook YAML files (default ./playbooks)').default('./playbooks'),
  SLACK_BOT_TOKEN: z
    .string()
    .startsWith('xoxb-', 'SLACK_BOT_TOKEN must be a bot token starting with xoxb- (OAuth & Permissions page of your Slack app)')
    .optional(),
  // Required in HTTP mode only; checked below, because Socket Mode has no signed requests.
  SLACK_SIGNING_SECRET: z.string().min(8, 'SLACK_SIGNING_SECRET looks truncated: copy the Signing Secret from the Basic Information page again').optional(),
  SLACK_APP_TOKEN: z
    .string()
    .startsWith(
      'xapp-',
      'SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write); leave it unset for HTTP mode',
    )
    .optional(),
  SLACK_API_URL: z.url('SLACK_API_URL must be an absolute URL such as https://slack.com/api/ (leave it unset to use Slack)').optional(),
  BRAIFLOW_API_URL: z.url('BRAIFLOW_API_URL must be an absolute URL such as https://api.braiflow.example (the API the http probes call)').optional(),
  BRAIFLOW_STANDARD_USER_TOKEN: z.string().min(8, "BRAIFLOW_STANDARD_USER_TOKEN looks truncated: set a standard (non-admin) user's API token").optional(),
  PROBE_ALLOWED_HOSTS: z.string().optional(),
  BRAIFLOW_QUEUE_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'BRAIFLOW_QUEUE_REDIS_URL must start with redis:// or rediss:// (the Redis of the BraiFlow queues)')
    .optional(),
  BRAIFLOW_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'BRAIFLOW_QUEUE_PREFIX is the BullMQ prefix of the BraiFlow queues (default bull)')
    .default('bull'),
  BRAIFLOW_S3_ENDPOINT: z.url('BRAIFLOW_S3_ENDPOINT must be an absolute URL of an S3-compatible endpoint (leave it unset for AWS)').optional(),
  BRAIFLOW_S3_REGION: z.string().min(1).default('us-east-1'),
  BRAIFLOW_S3_FORCE_PATH_STYLE: z.enum(['true', 'false'], { error: 'BRAIFLOW_S3_FORCE_PATH_STYLE is true or false' }).default('false'),
  BRAIFLOW_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  BRAIFLOW_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  BRAIFLOW_S3_STANDARD_USER_ACCESS_KEY_ID: z.string().min(1).optional(),
  BRAIFLOW_S3_STANDARD_USER_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  INCIDENT_ADMINS: z
    .string()
    .regex(
      /^\s*([UWS][A-Z0-9]+\s*(,\s*[UWS][A-Z0-9]+\s*)*)?$/,
      'INCIDENT_ADMINS must be a comma-separated list of Slack user IDs (U…/W…) or user group IDs (S…)',
    )
    .default(''),
  // Each listed name brings its own ESCALATION_WEBHOOK_<NAME>_* variables, read by readWebhooks.
  ESCALATION_WEBHOOKS: z
    .string()
    .regex(
      /^\s*[a-z0-9][a-z0-9-]*\s*(,\s*[a-z0-9][a-z0-9-]*\s*)*$/,
      'ESCALATION_WEBHOOKS must be a comma-separated list of webhook names (lowercase letters, digits and "-"), e.g. pagerduty,statuspage',
    )
    .optional(),
  DIGEST_CRON: z
    .string()
    .refine((v) => cronProblem(v) === null, {
      error: (i) =>
        `DIGEST_CRON ${cronProblem(String(i.input))}: it is when the weekly digest posts, e.g. 0 9 * * 1 (Mondays 09:00) or, with seconds, 0 0 9 * * 1`,
    })
    .default('0 9 * * 1'),
  ACTION_REMINDER_CRON: z
    .string()
    .refine((v) => cronProblem(v) === null, {
      error: (i) =>
        `ACTION_REMINDER_CRON ${cronProblem(String(i.input))}: it is when owners of overdue action items are reminded, e.g. 0 9 * * * (daily at 09:00, in TEAM_TZ)`,
    })
    .default('0 9 * * *'),
  TEAM_TZ: z
    .string()
    .refine((v) => timeZoneProblem(v) === null, {
      error: (i) =>
        `TEAM_TZ: ${timeZoneProblem(String(i.input))}; it is the team's time zone, e.g. Europe/Berlin: the day "due today" and "overdue" mean, and the zone DIGEST_CRON and ACTION_REMINDER_CRON are read in (default UTC)`,
    })
    .optional(),
  DIGEST_TZ: z
    .string()
    .refine((v) => timeZoneProblem(v) === null, {
      error: (i) => `DIGEST_TZ: ${timeZoneProblem(String(i.input))}; it is the older name of TEAM_TZ, the team's time zone (default UTC)`,
    })
    .optional(),
  MICROSOFT_APP_ID: z
    .string()
    .regex(GUID, "MICROSOFT_APP_ID must be the bot's Microsoft App ID, a GUID (Azure Bot resource → Configuration); leave it unset for local no-auth mode")
    .optional(),
  MICROSOFT_APP_PASSWORD: z
    .string()
    .min(8, "MICROSOFT_APP_PASSWORD looks truncated: copy the client secret value of the bot's app registration again")
    .optional(),
  MICROSOFT_APP_TENANT_ID: z
    .string()
    .regex(GUID, 'MICROSOFT_APP_TENANT_ID must be your Microsoft Entra tenant ID, a GUID (Azure Bot resource → Configuration)')
    .optional(),
  MICROSOFT_APP_TYPE: z
    .enum(TEAMS_APP_TYPES, {
      error: `MICROSOFT_APP_TYPE must be one of ${TEAMS_APP_TYPES.join(', ')} (Azure Bot resource → Configuration; default MultiTenant)`,
    })
    .optional(),
  TEAMS: z.enum(['on', 'off'], { error: 'TEAMS is on or off: on serves Teams even when no other Teams variable is set (local no-auth mode)' }).optional(),
  TEAMS_INCIDENT_CHANNEL_ID: z
    .string()
    .regex(TEAMS_CHANNEL, teamsChannelMessage('TEAMS_INCIDENT_CHANNEL_ID', 'the channel where incident threads open'))
    .optional(),
  TEAMS_ADMINS: z
    .string()
    .regex(
      /^\s*([0-9a-fA-F-]{36}\s*(,\s*[0-9a-fA-F-]{36}\s*)*)?$/,
      'TEAMS_ADMINS must be a comma-separated list of Microsoft Entra object IDs (GUIDs) of the people who may act on any incident',
    )
    .optional(),
  TEAMS_ALLOWED_TENANTS: z
    .string()
    .regex(
      GUID_LIST,
      'TEAMS_ALLOWED_TENANTS must be a comma-separated list of Microsoft Entra tenant IDs (GUIDs) whose activities the bot accepts (default: MICROSOFT_APP_TENANT_ID)',
    )
    .optional(),
  BOT_OPENID_METADATA_URL: z
    .url('BOT_OPENID_METADATA_URL must be an absolute URL of the Bot Framework OpenID metadata (leave it unset for the public cloud)')
    .optional(),
  CONSOLE: z.enum(['on', 'off'], { error: 'CONSOLE is on or off: on serves the web console beside Slack or Teams; off never serves it' }).optional(),
  // Its strength is checked below, where the message can carry a freshly generated token.
  CONSOLE_TOKEN: z.string().optional(),
  CONSOLE_SECRET: z
    .string()
    .min(32, 'CONSOLE_SECRET is too short: use 32+ random characters (e.g. openssl rand -hex 32), or unset it to keep a generated one in Postgres')
    .optional(),
  CONSOLE_PUBLIC_URL: z
    .url({
      protocol: /^https?$/,
      error: 'CONSOLE_PUBLIC_URL must be the absolute http(s) URL people open the console at, without /console, e.g. https://incidents.example.com',
    })
    .optional(),
  CONSOLE_ALLOW_FROM: z
    .string()
    .regex(
      /^\s*([0-9a-fA-F.:]+(\/\d{1,3})?\s*(,\s*[0-9a-fA-F.:]+(\/\d{1,3})?\s*)*)?$/,
      "CONSOLE_ALLOW_FROM is a comma-separated list of addresses or networks (CIDR), e.g. 172.16.0.0/12 for Docker's bridge",
    )
    .optional(),
  METRICS_ALLOW_FROM: z
    .string()
    .refine((v) => listProblem(v) === null, {
      error: (i) =>
        `METRICS_ALLOW_FROM: ${listProblem(String(i.input))}; list the addresses or networks (CIDR) that may read /metrics, comma-separated, e.g. 10.0.0.0/8,192.168.1.20 (unset: this machine and the private networks)`,
    })
    .optional(),
  CONSOLE_PEOPLE: z
    .string()
    .regex(
      /^\s*[a-z0-9][a-z0-9._-]*(:[^,]+)?(\s*,\s*[a-z0-9][a-z0-9._-]*(:[^,]+)?)*\s*$/,
      'CONSOLE_PEOPLE is a comma-separated list of id:Name, e.g. ada:Ada Lovelace,ben:Ben Okafor,root:Root (ids in lowercase letters, digits, . _ -)',
    )
    .default('ada:Ada (on call),ben:Ben (support),root:Root (admin)'),
  CONSOLE_ADMINS: z
    .string()
    .regex(/^\s*([a-z0-9._-]+\s*(,\s*[a-z0-9._-]+\s*)*)?$/, 'CONSOLE_ADMINS is a comma-separated list of CONSOLE_PEOPLE ids')
    .default('root'),
  DIGEST_TEAMS_CHANNEL: z.string().regex(TEAMS_CHANNEL, teamsChannelMessage('DIGEST_TEAMS_CHANNEL', 'the Teams channel the weekly digest posts to')).optional(),
  INCIDENT_ANNOUNCE_CHANNEL: z
    .string()
    .regex(
      /^C[A-Z0-9]{2,}$/,
      'INCIDENT_ANNOUNCE_CHANNEL must be a Slack channel ID such as C0123ABCD (channel details → About, at the bottom), not its #name; invite the bot there',
    )
    .optional(),
  TEAMS_ANNOUNCE_CHANNEL_ID: z
    .string()
    .regex(TEAMS_CHANNEL, teamsChannelMessage('TEAMS_ANNOUNCE_CHANNEL_ID', 'the channel where every incident is announced'))
    .optional(),
  DIGEST_SLACK_CHANNEL: z
    .string()
    .regex(/^C[A-Z0-9]{2,}$/, 'DIGEST_SLACK_CHANNEL must be a Slack channel ID such as C0123ABCD (channel details → About, at the bottom), not its #name')
    .optional(),
  // Alerts in (POST /alerts/…): each route answers 404 until its credential is set.
  ALERTS_TOKEN: z
    .string()
    .min(32, 'ALERTS_TOKEN is too short: use 32+ random characters (e.g. openssl rand -hex 32); Alertmanager sends it as Authorization: Bearer <token>')
    .optional(),
  ALERTS_SECRET: z
    .string()
    .min(16, 'ALERTS_SECRET is too short: use 16+ random characters (e.g. openssl rand -hex 32); POST /alerts/generic requests are signed with it')
    .optional(),
  ALERTS_UNROUTED_CHANNEL: z
    .string()
    .regex(
      /^C[A-Z0-9]{2,}$/,
      'ALERTS_UNROUTED_CHANNEL must be a Slack channel ID such as C0123ABCD (channel details → About), where alerts no runbook routes are posted',
    )
    .optional(),
  // PagerDuty's acknowledgements back (POST /webhooks/pagerduty): 404 until set.
  PAGERDUTY_WEBHOOK_SECRET: z
    .string()
    .min(
      16,
      'PAGERDUTY_WEBHOOK_SECRET is too short: paste the signing secret PagerDuty shows for the Generic Webhooks (v3) subscription (Integrations → Generic Webhooks (v3)); it signs POST /webhooks/pagerduty',
    )
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable the schema reads, for test/unit/env-example.test.ts to hold .env.example to. */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as ReadonlyArray<keyof Env>;

export interface S3Credentials {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Where the probes look: all optional; a probe whose target is not configured says which variable to set. */
export interface ProbeConfig {
  apiUrl: string | null;
  standardUserToken: string | null;
  allowedHosts: string[];
  queue: { redisUrl: string; prefix: string } | null;
  s3: { app: S3Credentials | null; standardUser: S3Credentials | null };
}

export type { ConsoleConfig, SlackConfig, TeamsConfig, WebhookConfig, WebhookPreset };
export { TEAMS_APP_TYPES };

export interface Config {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  port: number;
  /** The address to listen on; null: every interface. */
  host: string | null;
  logLevel: Env['LOG_LEVEL'];
  runbooksDir: string;
  /** Null when no Slack variable is set: the bot then serves the other surfaces only. */
  slack: SlackConfig | null;
  /** Null when no Teams variable is set. */
  teams: TeamsConfig | null;
  /** Null when the console is off: by default it is on when neither Slack nor Teams is configured. */
  console: ConsoleConfig | null;
  probes: ProbeConfig;
  /** By name; empty when ESCALATION_WEBHOOKS is unset. */
  webhooks: Record<string, WebhookConfig>;
  /** TEAM_TZ (or its older name DIGEST_TZ): the team's time zone, whose calendar day "today" is. */
  tz: string;
  digest: DigestConfig;
  /** When overdue action items are reminded: `cron`, read in the team's time zone. */
  reminders: { cron: string; tz: string };
  /** METRICS_ALLOW_FROM: who may read /metrics and /readyz's details, besides this machine. */
  metricsAllowFrom: string[];
  alerts: AlertsConfig;
  /** PAGERDUTY_WEBHOOK_SECRET: what PagerDuty's V3 webhooks are signed with; null: the route answers 404. */
  pagerDutyWebhookSecret: string | null;
}

/** POST /alerts/alertmanager (token) and /alerts/generic (HMAC secret); null: that route answers 404. */
export interface AlertsConfig {
  token: string | null;
  secret: string | null;
  /** The Slack channel alerts that match no runbook are offered in. */
  unroutedSlackChannel: string | null;
}

/** The weekly KPI digest: `cron` is read in `tz`; nothing is scheduled while neither channel is set. */
export interface DigestConfig {
  cron: string;
  tz: string;
  slackChannel: string | null;
  teamsChannel: string | null;
}

/** The chat surfaces a config serves, for `start` to say so. */
export function surfaces(config: Config): string[] {
  const out: string[] = [];
  if (config.slack) out.push(config.slack.appToken ? 'slack (Socket Mode)' : 'slack (HTTP)');
  if (config.teams) out.push(config.teams.appId ? 'teams' : 'teams (local no-auth mode: loopback clients only)');
  if (config.console) out.push(config.console.token ? 'console (token required)' : 'console (this machine only)');
  return out;
}

const SLACK_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const;
const TEAMS_VARIABLES = [
  'MICROSOFT_APP_ID',
  'MICROSOFT_APP_PASSWORD',
  'MICROSOFT_APP_TENANT_ID',
  'MICROSOFT_APP_TYPE',
  'TEAMS_INCIDENT_CHANNEL_ID',
  'TEAMS_ADMINS',
  'TEAMS_ALLOWED_TENANTS',
  'DIGEST_TEAMS_CHANNEL',
  'TEAMS_ANNOUNCE_CHANNEL_ID',
] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads settings from the environment; throws ConfigError listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable in .env means "not set"; treating it as a value would hide the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  // Messages are ours, never the offending value, so a mistyped secret is not echoed.
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  // Slack is on as soon as any of its variables is set; then the rest of its set must be complete.
  const slackOn = SLACK_VARIABLES.some((v) => cleaned[v] !== undefined);
  if (slackOn && !cleaned.SLACK_BOT_TOKEN) {
    problems.push('SLACK_BOT_TOKEN is required for Slack: copy the Bot User OAuth Token (xoxb-…) from your Slack app, OAuth & Permissions page');
  }
  if (slackOn && !cleaned.SLACK_SIGNING_SECRET && !cleaned.SLACK_APP_TOKEN) {
    problems.push(
      'SLACK_SIGNING_SECRET is required in HTTP mode: copy the Signing Secret from your Slack app, Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  const teamsOn = cleaned.TEAMS === 'on' || (cleaned.TEAMS !== 'off' && TEAMS_VARIABLES.some((v) => cleaned[v] !== undefined));
  if (teamsOn) problems.push(...teamsProblems(cleaned));
  // With no chat platform the console is the bot: a newcomer can run it before any app exists.
  const consoleOn = cleaned.CONSOLE === 'on' || (cleaned.CONSOLE !== 'off' && !slackOn && !teamsOn);
  if (!slackOn && !teamsOn && !consoleOn) {
    problems.push(
      'Nothing to serve: CONSOLE=off and no chat platform is configured. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) for Slack, MICROSOFT_APP_ID … for Teams (docs/teams.md), or unset CONSOLE to serve the web console.',
    );
  }
  if (consoleOn && cleaned.CONSOLE_TOKEN) {
    const weak = weakTokenProblem(cleaned.CONSOLE_TOKEN);
    if (weak) problems.push(weak);
  }
  const people = consolePeople(cleaned.CONSOLE_PEOPLE, cleaned.CONSOLE_ADMINS, problems);
  let allowedHosts: string[] = [];
  try {
    allowedHosts = parseAllowedHosts(cleaned.PROBE_ALLOWED_HOSTS);
  } catch (err) {
    problems.push((err as Error).message);
  }
  for (const set of ['', 'STANDARD_USER_'] as const) {
    const id = cleaned[`BRAIFLOW_S3_${set}ACCESS_KEY_ID`];
    const secret = cleaned[`BRAIFLOW_S3_${set}SECRET_ACCESS_KEY`];
    if (Boolean(id) !== Boolean(secret))
      problems.push(`BRAIFLOW_S3_${set}ACCESS_KEY_ID and BRAIFLOW_S3_${set}SECRET_ACCESS_KEY go together: set both or neither`);
  }
  const webhooks = readWebhooks(cleaned, problems);
  const tzProblem = teamTzProblem(cleaned);
  if (tzProblem) problems.push(tzProblem);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const s3 = (id: string | undefined, secret: string | undefined): S3Credentials | null =>
    id && secret
      ? {
          endpoint: e.BRAIFLOW_S3_ENDPOINT,
          region: e.BRAIFLOW_S3_REGION,
          forcePathStyle: e.BRAIFLOW_S3_FORCE_PATH_STYLE === 'true',
          accessKeyId: id,
          secretAccessKey: secret,
        }
      : null;
  const admins = e.INCIDENT_ADMINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    port: e.PORT,
    host: e.HOST ?? defaultHost(slackOn && !e.SLACK_APP_TOKEN, teamsOn, consoleOn && !e.CONSOLE_TOKEN),
    logLevel: e.LOG_LEVEL,
    runbooksDir: e.PLAYBOOKS_DIR,
    slack: slackOn
      ? {
          botToken: e.SLACK_BOT_TOKEN!,
          signingSecret: e.SLACK_SIGNING_SECRET,
          appToken: e.SLACK_APP_TOKEN,
          apiUrl: e.SLACK_API_URL,
          admins: { users: admins.filter((a) => !a.startsWith('S')), groups: admins.filter((a) => a.startsWith('S')) },
          announceChannel: e.INCIDENT_ANNOUNCE_CHANNEL ?? null,
        }
      : null,
    teams: teamsOn
      ? {
          appId: e.MICROSOFT_APP_ID ?? null,
          appPassword: e.MICROSOFT_APP_PASSWORD ?? null,
          tenantId: e.MICROSOFT_APP_TENANT_ID ?? null,
          appType: e.MICROSOFT_APP_TYPE ?? 'MultiTenant',
          incidentChannelId: e.TEAMS_INCIDENT_CHANNEL_ID ?? null,
          announceChannelId: e.TEAMS_ANNOUNCE_CHANNEL_ID ?? null,
          admins: (e.TEAMS_ADMINS ?? '')
            .split(',')
            .map((a) => a.trim().toLowerCase())
            .filter(Boolean),
          allowedTenants: (e.TEAMS_ALLOWED_TENANTS ?? e.MICROSOFT_APP_TENANT_ID ?? '')
            .split(',')
            .map((t) => t.trim().toLowerCase())
            .filter(Boolean),
          openIdMetadataUrl: e.BOT_OPENID_METADATA_URL ?? null,
        }
      : null,
    console: consoleOn
      ? {
          token: e.CONSOLE_TOKEN ?? null,
          secret: e.CONSOLE_SECRET ?? null,
          publicUrl: e.CONSOLE_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
          allowFrom: (e.CONSOLE_ALLOW_FROM ?? '')
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
          people,
        }
      : null,
    probes: {
      apiUrl: e.BRAIFLOW_API_URL ?? null,
      standardUserToken: e.BRAIFLOW_STANDARD_USER_TOKEN ?? null,
      allowedHosts,
      queue: e.BRAIFLOW_QUEUE_REDIS_URL ? { redisUrl: e.BRAIFLOW_QUEUE_REDIS_URL, prefix: e.BRAIFLOW_QUEUE_PREFIX } : null,
      s3: {
        app: s3(e.BRAIFLOW_S3_ACCESS_KEY_ID, e.BRAIFLOW_S3_SECRET_ACCESS_KEY),
        standardUser: s3(e.BRAIFLOW_S3_STANDARD_USER_ACCESS_KEY_ID, e.BRAIFLOW_S3_STANDARD_USER_SECRET_ACCESS_KEY),
      },
    },
    webhooks,
    tz: e.TEAM_TZ ?? e.DIGEST_TZ ?? 'UTC',
    digest: {
      cron: e.DIGEST_CRON,
      tz: e.TEAM_TZ ?? e.DIGEST_TZ ?? 'UTC',
      slackChannel: e.DIGEST_SLACK_CHANNEL ?? null,
      teamsChannel: e.DIGEST_TEAMS_CHANNEL ?? null,
    },
    reminders: { cron: e.ACTION_REMINDER_CRON, tz: e.TEAM_TZ ?? e.DIGEST_TZ ?? 'UTC' },
    metricsAllowFrom: e.METRICS_ALLOW_FROM ? entries(e.METRICS_ALLOW_FROM) : PRIVATE_NETWORKS,
    alerts: { token: e.ALERTS_TOKEN ?? null, secret: e.ALERTS_SECRET ?? null, unroutedSlackChannel: e.ALERTS_UNROUTED_CHANNEL ?? null },
    pagerDutyWebhookSecret: e.PAGERDUTY_WEBHOOK_SECRET ?? null,
  };
}

/**
 * Loopback when all there is to serve is the token-free console: it answers this machine only, so
 * nothing else should even connect (a TCP proxy on this machine would look local). Slack over HTTP
 * and Teams are called from outside, so then every interface, as node does by default.
 */
function defaultHost(slackHttp: boolean, teams: boolean, openConsole: boolean): string | null {
  return openConsole && !slackHttp && !teams ? '127.0.0.1' : null;
}

function entries(list: string): string[] {
  return list
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

/** The first entry of an address list that is not an address or a network, or null. */
function listProblem(list: string): string | null {
  for (const entry of entries(list)) {
    const problem = addressEntryProblem(entry);
    if (problem) return problem;
  }
  return null;
}

const DEFAULT_PEOPLE = 'ada:Ada (on call),ben:Ben (support),root:Root (admin)';

/** The console's local people; an admin id that names nobody is a problem, not a silent no-op. */
function consolePeople(list: string | undefined, admins: string | undefined, problems: string[]): ConsoleConfig['people'] {
  const adminIds = new Set(
    (admins ?? 'root')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
  );
  const people = (list ?? DEFAULT_PEOPLE)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [id, ...name] = p.split(':');
      return { id: id!.trim(), name: name.join(':').trim() || id!.trim(), admin: adminIds.has(id!.trim()) };
    });
  for (const a of adminIds) if (!people.some((p) => p.id === a)) problems.push(`CONSOLE_ADMINS names "${a}", who is not in CONSOLE_PEOPLE`);
  return people;
}

/** What the chosen app type needs besides the app id; nothing when the id is unset (no-auth mode). */
function teamsProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const type = env.MICROSOFT_APP_TYPE ?? 'MultiTenant';
  if (!env.MICROSOFT_APP_ID) {
    for (const v of ['MICROSOFT_APP_PASSWORD', 'MICROSOFT_APP_TENANT_ID', 'MICROSOFT_APP_TYPE']) {
      if (env[v]) problems.push(`${v} is set but MICROSOFT_APP_ID is not: set the bot's Microsoft App ID too (or unset ${v} for local no-auth mode)`);
    }
    return problems;
  }
  if (type !== 'UserAssignedMSI' && !env.MICROSOFT_APP_PASSWORD) {
    problems.push(
      `MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_TYPE=${type}: the client secret of the bot's app registration (Certificates & secrets)`,
    );
  }
  if (type !== 'MultiTenant' && !env.MICROSOFT_APP_TENANT_ID) {
    problems.push(`MICROSOFT_APP_TENANT_ID is required with MICROSOFT_APP_TYPE=${type}: your Microsoft Entra tenant ID`);
  }
  return problems;
}

const WEBHOOK_PRESETS = ['generic', 'pagerduty'] as const;
const WEBHOOK_FIELDS: WebhookField[] = ['URL', 'SECRET', 'PRESET'];
const WEBHOOK_VARIABLE = /^ESCALATION_WEBHOOK_(.+)_(URL|SECRET|PRESET)$/;
const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
const MIN_HMAC_SECRET = 16;
// PagerDuty refuses any other length with a 400, which would only show when a level fires.
const PAGERDUTY_KEY_LENGTH = 32;

/**
 * The webhooks ESCALATION_WEBHOOKS lists, pushing a problem for each variable missing or wrong.
 * A webhook variable whose name is not listed is a problem too: the forgotten name would otherwise
 * only show when its level fires, in the middle of an incident.
 */
function readWebhooks(env: Record<string, string | undefined>, problems: string[]): Record<string, WebhookConfig> {
  const listed = envSchema.shape.ESCALATION_WEBHOOKS.safeParse(env.ESCALATION_WEBHOOKS);
  if (!listed.success) return {}; // the schema has reported it
  const names = [
    ...new Set(
      (listed.data ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    ),
  ];
  const expected = new Set(names.flatMap((n) => WEBHOOK_FIELDS.map((f) => webhookVariable(n, f))));
  for (const variable of Object.keys(env).sort()) {
    const stray = WEBHOOK_VARIABLE.exec(variable);
    if (stray && !expected.has(variable)) {
      problems.push(
        `${variable} is set but ESCALATION_WEBHOOKS does not list its webhook: add ${stray[1]!.toLowerCase().replace(/_/g, '-')} there, or unset it`,
      );
    }
  }
  const webhooks: Record<string, WebhookConfig> = {};
  for (const name of names) {
    const webhook = readWebhook(name, env, problems);
    if (webhook) webhooks[name] = webhook;
  }
  return webhooks;
}

function readWebhook(name: string, env: Record<string, string | undefined>, problems: string[]): WebhookConfig | null {
  const v = (field: WebhookField) => webhookVariable(name, field);
  const before = problems.length;
  const preset = z.enum(WEBHOOK_PRESETS).default('generic').safeParse(env[v('PRESET')]);
  if (!preset.success) problems.push(`${v('PRESET')} must be generic or pagerduty (default generic)`);
  const kind = preset.data; // undefined when invalid: only the checks that do not depend on it run
  const url = env[v('URL')] ?? (kind === 'pagerduty' ? PAGERDUTY_EVENTS_URL : undefined);
  if (url === undefined && kind === 'generic') {
    problems.push(`${v('URL')} is required for webhook ${name}: the https:// URL that receives its escalations (or set ${v('PRESET')}=pagerduty)`);
  } else if (url !== undefined && !isWebhookUrl(url)) {
    problems.push(`${v('URL')} must be an https:// URL (http:// only for localhost or a loopback address)`);
  }
  const secret = env[v('SECRET')];
  const pagerDutyKey = `the ${PAGERDUTY_KEY_LENGTH}-character integration key of the PagerDuty service's Events API v2 integration`;
  const hmacKey = `a random string of at least ${MIN_HMAC_SECRET} characters the receiver checks signatures with (e.g. openssl rand -hex 32)`;
  if (secret === undefined) {
    problems.push(`${v('SECRET')} is required for webhook ${name}: ${kind === 'pagerduty' ? pagerDutyKey : hmacKey}`);
  } else if (kind === 'pagerduty' && secret.length !== PAGERDUTY_KEY_LENGTH) {
    problems.push(`${v('SECRET')} must be ${pagerDutyKey}`);
  } else if (kind === 'generic' && secret.length < MIN_HMAC_SECRET) {
    problems.push(`${v('SECRET')} is too short: use ${hmacKey}`);
  }
  if (problems.length > before || !kind || !url || !secret) return null;
  return { name, url, secret, preset: kind };
}

/** https, or http to this machine only: a plain-http escalation would travel readable on the network. */
function isWebhookUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  const host = url.hostname;
  return url.protocol === 'http:' && (host === 'localhost' || host === '[::1]' || (isIPv4(host) && host.startsWith('127.')));
}

// DIGEST_TZ was the zone's name before reminders and "overdue" used it too; both names are read,
// and two different zones would make the digest and the screens disagree about the day.
function teamTzProblem(env: Record<string, string | undefined>): string | null {
  const { TEAM_TZ: team, DIGEST_TZ: digest } = env;
  return team && digest && team !== digest
    ? `TEAM_TZ (${team}) and DIGEST_TZ (${digest}) differ: DIGEST_TZ is the older name of TEAM_TZ; set only TEAM_TZ`
    : null;
}

/** TEAM_TZ (or DIGEST_TZ) for commands that do not load the whole config, such as `postmortem`. */
export function loadTeamTz(env: NodeJS.ProcessEnv = process.env): string {
  const cleaned = { TEAM_TZ: env.TEAM_TZ || undefined, DIGEST_TZ: env.DIGEST_TZ || undefined };
  const problems = [
    teamTzProblem(cleaned),
    ...(['TEAM_TZ', 'DIGEST_TZ'] as const).map((v) => (cleaned[v] && timeZoneProblem(cleaned[v]) ? `${v}: ${timeZoneProblem(cleaned[v])}` : null)),
  ];
  const found = problems.filter((p) => p !== null);
  if (found.length) throw new ConfigError(found);
  return cleaned.TEAM_TZ ?? cleaned.DIGEST_TZ ?? 'UTC';
}

/** The subset `migrate` and `runbooks check` need: they must work without Slack tokens. */
export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const r = envSchema.shape.DATABASE_URL.safeParse(env.DATABASE_URL || undefined);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => i.message));
  return r.data;
}
