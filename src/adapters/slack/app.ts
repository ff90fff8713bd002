import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { Config } from '../../config';
import type { HealthRoute } from '../../http/health';
import type { Logger } from '../../logger';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import type { SlackContext } from './context';

export interface SlackApp {
  app: App;
  /** Starts listening; resolves to the HTTP port (health routes, and events in HTTP mode). */
  start(port: number): Promise<number>;
  stop(): Promise<void>;
}

/** HTTP mode verifies Slack's signature on every request; SLACK_APP_TOKEN switches to Socket Mode. */
export function createSlackApp(config: Config, ctx: SlackContext, routes: HealthRoute[]): SlackApp {
  const logger = boltLogger(ctx.logger);
  const clientOptions = config.slack.apiUrl ? { slackApiUrl: withSlash(config.slack.apiUrl) } : undefined;
  let server: { address(): unknown } | undefined;
  let app: App;
  if (config.slack.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger,
      customRoutes: routes,
      // The socket client makes its own Web API call (apps.connections.open), so it needs the API URL too.
      installerOptions: { port: config.port, clientOptions },
    });
    app = new App({ token: config.slack.botToken, receiver, logger, clientOptions });
  } else {
    // loadConfig refuses HTTP mode without a signing secret; this guards direct callers.
    if (!config.slack.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
    const receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret,
      endpoints: '/slack/events',
      customRoutes: routes,
      logger,
      // Ack first, work after: the response leaves as soon as a listener calls ack().
      processBeforeResponse: false,
    });
    app = new App({ token: config.slack.botToken, receiver, logger, clientOptions });
  }
  registerCommands(app, ctx);
  registerActions(app, ctx);
  app.error(async (err) => {
    ctx.logger.error({ platform: 'slack', err: err.message, code: (err as { code?: string }).code }, 'unhandled Slack listener error');
  });
  return {
    app,
    async start(port) {
      server = (await app.start(port)) as typeof server;
      const addr = server?.address?.() as { port?: number } | undefined;
      return addr?.port ?? port;
    },
    async stop() {
      await app.stop();
    },
  };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Bolt logs through pino, so its lines are redacted and levelled like ours. */
function boltLogger(base: Logger): BoltLogger {
  const log = base.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  const text = (msgs: unknown[]) => msgs.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...m) => log.debug(text(m)),
    info: (...m) => log.info(text(m)),
    warn: (...m) => log.warn(text(m)),
    error: (...m) => log.error(text(m)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
