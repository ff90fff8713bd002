import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { TeamsConfig } from './settings';

/**
 * The public cloud's endpoints. Naming any one endpoint makes botbuilder take none of its
 * defaults, so a custom signing-key URL comes with the rest spelled out.
 */
export const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: 'urn:botframework:azure',
};

/**
 * botbuilder's CloudAdapter, with authentication from config. Its `process` answers Express-style
 * responses and prints errors to the console; this bot has its own HTTP server and logger, so it
 * calls the authenticated turn directly and answers the request itself.
 */
export class TeamsAdapter extends CloudAdapter {
  /** '' in local no-auth mode: botbuilder then signs nothing and checks nothing. */
  readonly appId: string;

  constructor(cfg: TeamsConfig) {
    const settings = {
      MicrosoftAppId: cfg.appId ?? '',
      MicrosoftAppPassword: cfg.appPassword ?? '',
      MicrosoftAppTenantId: cfg.tenantId ?? '',
      MicrosoftAppType: cfg.appId ? cfg.appType : '',
      ...(cfg.openIdMetadataUrl ? { ...PUBLIC_CLOUD, ToBotFromChannelOpenIdMetadataUrl: cfg.openIdMetadataUrl } : {}),
    };
    super(new ConfigurationBotFrameworkAuthentication(settings, new ConfigurationServiceClientCredentialFactory(settings)));
    this.appId = cfg.appId ?? '';
  }

  /** Checks the request's JWT (throws AuthenticationError when it does not hold), then runs `logic`. */
  turn(authorization: string, activity: Activity, logic: (ctx: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authorization, activity, logic);
  }
}
