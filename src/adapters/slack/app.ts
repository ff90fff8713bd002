import type { IncomingMessage, ServerResponse } from 'node:http';
import { registerAlertOffers, type AlertDeclareClick } from './alert-offer';
import type { Text } from '../../core/text/text';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { SlackConfig } from './settings';
import type { Dispatcher } from '../../core/commands/dispatch';
import type { ChatPlatform } from '../../core/ports';
import type { Logger } from '../../util/logger';
import { registerActions } from './actions';
import { slackApiUrl } from './client';
import { registerCommands } from './commands';
import { registerStepDetails } from './step-details';
import { registerResolveModal } from './resolve-modal';
import { registerAnalysisModal } from './analysis-modal';
import { registerHome } from './home';
import { registerAddToTimeline, registerPinNotes } from './pin-notes';
import { SlackPlatform } from './platform';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackApp {
  /** HTTP mode: the app's server hands POST /slack/events here. Absent in Socket Mode. */
  requestListener?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Socket Mode: opens the WebSocket. HTTP mode: nothing to do, the app's server listens. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Bolt app, without a server of its own: in HTTP mode its receiver's request listener is
 * mounted on the bot's server beside the health, metrics and other surfaces' routes. HTTP mode
 * verifies Slack's signature on every request; SLACK_APP_TOKEN switches to Socket Mode.
 */
export function createSlackApp(
  config: SlackConfig,
  dispatcher: Dispatcher,
  platform: ChatPlatform,
  log: Logger,
  /** Declares an unrouted alert as the runbook its button names (see alert-offer.ts). */
  alertDeclare?: (click: AlertDeclareClick) => Promise<Text>,
): SlackApp {
  const logger = boltLogger(log);
  const apiUrl = slackApiUrl(config);
  const clientOptions = apiUrl ? { slackApiUrl: apiUrl } : undefined;
  let app: App;
  let http: HTTPReceiver | null = null;
  if (config.appToken) {
    // The socket client makes its own Web API call (apps.connections.open), so it needs the API URL too.
    const receiver = new SocketModeReceiver({ appToken: config.appToken, logger, installerOptions: { clientOptions } });
    app = new App({ token: config.botToken, receiver, logger, clientOptions });
  } else {
    // loadConfig refuses HTTP mode without a signing secret; this guards direct callers.
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
    http = new HTTPReceiver({
      signingSecret: config.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      logger,
      // Ack first, work after: the response leaves as soon as a listener calls ack().
      processBeforeResponse: false,
    });
    app = new App({ token: config.botToken, receiver: http, logger, clientOptions });
  }
  registerCommands(app, dispatcher, platform, log);
  registerActions(app, dispatcher, platform, log);
  registerStepDetails(app, dispatcher, log);
  registerResolveModal(app, dispatcher, platform, log);
  registerAnalysisModal(app, dispatcher, platform, log);
  registerPinNotes(app, dispatcher, platform, log);
  registerAddToTimeline(app, dispatcher, platform, log);
  if (alertDeclare) registerAlertOffers(app, alertDeclare, log);
  if (platform instanceof SlackPlatform && platform.home) registerHome(app, platform.home, log);
  app.error(async (err) => {
    log.error({ platform: 'slack', err }, 'unhandled Slack listener error');
  });
  const socket = !http;
  return {
    requestListener: http ? http.requestListener : undefined,
    async start() {
      if (socket) await app.start();
    },
    async stop() {
      if (socket) await app.stop();
    },
  };
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
