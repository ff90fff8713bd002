import type { Text } from '../../core/text/text';
import type { DigestPoster } from '../../jobs/handlers/digest-weekly';
import type { TeamsConnector } from './connector';
import { messageText } from './cards';

/**
 * Posts the digest as a new thread in the digest channel, so each week's figures can be discussed
 * under them. The database claim keeps other bots out; Teams history cannot be searched, so a bot
 * killed between Teams taking the post and recording it would post that week again on retry.
 */
export class TeamsDigestPoster implements DigestPoster {
  constructor(private readonly connector: TeamsConnector) {}

  async post(channel: string, _key: string, text: Text): Promise<string> {
    const m = messageText(text, () => null);
    const opened = await this.connector.openThread(channel, { type: 'message', textFormat: 'xml', text: m.text });
    return opened.conversationId;
  }
}
