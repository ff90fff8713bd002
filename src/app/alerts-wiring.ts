import type { Pool } from 'pg';
import { CONSOLE_PLATFORM, CONSOLE_WORKSPACE } from '../adapters/console/platform';
import { createSlackClient } from '../adapters/slack/client';
import { postAlertOffer, type AlertDeclareClick } from '../adapters/slack/alert-offer';
import { AlertIntake, type UnroutedOffer } from '../alerts/intake';
import { ALERTMANAGER_PATH, alertRoutes, GENERIC_ALERT_PATH } from '../alerts/routes';
import type { CoreDeps } from '../core/incident/deps';
import type { ChatPlatform } from '../core/ports';
import type { Route } from '../http/server';
import { AlertStore } from '../store/alerts';
import type { Logger } from '../util/logger';
import type { Config } from './config';
import { alertDeclaredText } from '../core/render/notices';
import type { Text } from '../core/text/text';
import { PAGERDUTY_WEBHOOK_PATH, pagerDutyRoute } from '../alerts/pagerduty-route';
import type { DeclareAlert } from '../core/text/alert-offer';
import type { TeamsPlatform } from '../adapters/teams/platform';

/**
 * The platform alerts declare on: Slack (a new channel, as /incident opens), else Teams (a thread in
 * TEAMS_INCIDENT_CHANNEL_ID: with no request there is no other channel), else the console.
 */
export function alertPlatform(config: Config, platforms: ReadonlyMap<string, ChatPlatform>): string | null {
  if (config.slack && platforms.has('slack')) return 'slack';
  if (config.teams?.incidentChannelId && platforms.has('teams')) return 'teams';
  if (platforms.has(CONSOLE_PLATFORM)) return CONSOLE_PLATFORM;
  return null;
}

export interface AlertsWiring {
  /** POST /alerts/… and POST /webhooks/pagerduty: always mounted (404 until configured). */
  routes: Route[];
  /** The Slack "Declare as <runbook>" button of an unrouted alert's offer. */
  slackDeclare: (click: AlertDeclareClick) => Promise<Text>;
  /** The same button on Teams or the console: declared on `platform`, led by whoever clicked. */
  declareOn: (platform: string) => DeclareAlert;
}

/**
 * Where an unrouted alert is offered in chat, once: ALERTS_UNROUTED_CHANNEL on Slack; else, on
 * Teams with TEAMS_INCIDENT_CHANNEL_ID, a post of its own there; else in no chat. The console,
 * when served, lists it either way (adapters/console/pages/list.ts).
 */
function chatOffer(config: Config, teams: TeamsPlatform | null): { offer: UnroutedOffer; where: string } | null {
  const channel = config.alerts.unroutedSlackChannel;
  if (channel && config.slack) {
    const client = createSlackClient(config.slack);
    return { where: `Slack channel ${channel}`, offer: (key, text, alert, runbooks) => postAlertOffer(client, channel, key, text, alert, runbooks) };
  }
  if (teams?.config.incidentChannelId)
    return { where: 'the Teams incident channel', offer: (_key, text, alert, runbooks) => teams.offerAlert(text, alert, runbooks) };
  return null;
}

/** The alert routes and the offer's buttons; says at start which routes accept alerts and where unrouted ones go. */
export function alertsWiring(
  config: Config,
  deps: CoreDeps,
  pool: Pool,
  platforms: ReadonlyMap<string, ChatPlatform>,
  teams: TeamsPlatform | null,
  logger: Logger,
): AlertsWiring {
  const { token, secret, unroutedSlackChannel } = config.alerts;
  const platform = alertPlatform(config, platforms);
  // The console's incidents all carry its one workspace; Slack's team and Teams' tenant come with requests, which an alert has none of.
  const target = platform ? { platform, workspace: platform === CONSOLE_PLATFORM ? CONSOLE_WORKSPACE : null } : null;
  const chat = chatOffer(config, teams);
  const intake = new AlertIntake(deps, new AlertStore(pool), target, chat?.offer ?? null, logger);
  const unrouted = [chat && `offered in ${chat.where}`, config.console && 'listed on the console'].filter(Boolean).join(' and ') || 'only logged and stored';
  const state = (path: string, variable: string, set: boolean) => `${path} ${set ? 'accepts alerts' : `is not configured (404): set ${variable}`}`;
  logger.info(
    { alertPlatform: platform, unroutedOffer: chat?.where ?? null },
    `alerts: ${state(ALERTMANAGER_PATH, 'ALERTS_TOKEN', !!token)}; ${state(GENERIC_ALERT_PATH, 'ALERTS_SECRET', !!secret)}${token || secret ? `; they declare on ${platform ?? 'no platform'}; unrouted ones are ${unrouted}` : ''}`,
  );
  logger.info(
    config.pagerDutyWebhookSecret
      ? `PagerDuty: ${PAGERDUTY_WEBHOOK_PATH} takes incident.acknowledged (V3 webhooks) for incidents this bot paged`
      : `PagerDuty: ${PAGERDUTY_WEBHOOK_PATH} is not configured (404): set PAGERDUTY_WEBHOOK_SECRET`,
  );
  if (unroutedSlackChannel && !config.slack) logger.warn(`ALERTS_UNROUTED_CHANNEL is set but Slack is not configured: unrouted alerts are ${unrouted}`);
  return {
    routes: [...alertRoutes({ token, secret }, intake, logger), pagerDutyRoute(config.pagerDutyWebhookSecret, deps, logger)],
    async slackDeclare(click) {
      const replyTo = click.responseUrl ? { responseUrl: click.responseUrl } : undefined;
      const { incident, created } = await intake.declareAs(click.source, click.fingerprint, click.runbook, click.userId, 'slack', replyTo, click.workspace);
      // An incident declared from Teams or the console has no Slack channel to name.
      const channel = incident.platform === 'slack' && incident.channelId ? incident.channelId : null;
      return alertDeclaredText(incident, created, 'Opening its channel; I will link it here.', channel ? [{ channel }] : null);
    },
    declareOn: (on) => (choice, actor, where) => intake.declareAs(choice.source, choice.fingerprint, choice.runbook, actor, on, where.replyTo, where.workspace),
  };
}
