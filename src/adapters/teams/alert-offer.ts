import type { Incident } from '../../core/model';
import { alertDeclaredText } from '../../core/render/notices';
import { clip } from '../../core/render/views';
import { decodeAlertChoice, encodeAlertChoice, type AlertOfferChoice } from '../../core/text/alert-offer';
import { plainText, type Text } from '../../core/text/text';
import { card, type Card } from './cards';
import type { TeamsConnector } from './connector';
import { threadLink } from './ids';
import { cardActivity } from './message-sync';
import { richLines, type Element } from './teams-text';

/** The verb of an unrouted alert's "Declare as <runbook>" buttons; the incident buttons' are `incident.*`. */
export const ALERT_DECLARE_VERB = 'alert.declare';
const DATA_KEY = 'incidentBotAlert';
// Teams draws at most 6 actions in a set and drops the rest: rows of 5 keep every button visible.
const ROW = 5;
// As many as Slack's offer shows; the text still names every runbook's command.
const MAX_BUTTONS = 25;
const TEXT_MAX = 3000;

/** The offer: what the alert said, then one button per runbook (Action.Execute, with Action.Submit for older clients). */
export function alertOfferCard(text: Text, alert: Omit<AlertOfferChoice, 'runbook'>, runbooks: string[]): Card {
  const buttons = runbooks.slice(0, MAX_BUTTONS).map((runbook) => declareButton({ ...alert, runbook }));
  const rows: Element[] = [];
  for (let i = 0; i < buttons.length; i += ROW) rows.push({ type: 'ActionSet', actions: buttons.slice(i, i + ROW) });
  // Alert text is the sender's: TextRuns show it as typed, never as markdown or a mention.
  return card([...richLines(clip(text, TEXT_MAX), () => null), ...rows]);
}

function declareButton(choice: AlertOfferChoice): Element {
  const title = `Declare as ${choice.runbook}`;
  const data = { [DATA_KEY]: encodeAlertChoice(choice) };
  return { type: 'Action.Execute', title, verb: ALERT_DECLARE_VERB, data, fallback: { type: 'Action.Submit', title, data } };
}

/** Opens a thread of its own in `channelId` with the offer card: one post per offer, as incident threads are. */
export async function postAlertOffer(connector: TeamsConnector, channelId: string, text: Text, alert: Omit<AlertOfferChoice, 'runbook'>, runbooks: string[]): Promise<void> {
  await connector.openThread(channelId, cardActivity(alertOfferCard(text, alert, runbooks), plainText(text).slice(0, 200)));
}

/**
 * What a click on a "Declare as" button chose: an invoke's value ({ action: { verb, data } }) or a
 * fallback submit's data. Null for anything else, the incident buttons included.
 */
export function readAlertChoice(value: unknown): AlertOfferChoice | null {
  try {
    if (!isObject(value)) return null;
    if (!('action' in value)) return decodeAlertChoice(value[DATA_KEY]);
    const action = value.action;
    if (!isObject(action) || action.type !== 'Action.Execute' || action.verb !== ALERT_DECLARE_VERB || !isObject(action.data)) return null;
    return decodeAlertChoice(action.data[DATA_KEY]);
  } catch {
    return null; // a hostile getter; nothing we sent
  }
}

/** The clicker's answer: declared (the thread opens in the incident channel, and setup says where), or the incident it already is. */
export function alertDeclaredAnswer(incident: Incident, created: boolean): Text {
  const link = incident.platform === 'teams' && incident.channelId ? threadLink(incident.channelId, incident.workspace) : null;
  return alertDeclaredText(incident, created, 'Opening its thread in the incident channel; I will link it here.', link ? [{ link, title: 'its thread' }] : null);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
