import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Bot Framework channel tokens, made with node:crypto alone. The claims botbuilder 4.23 checks on a
 * token from a channel (parameterizedBotFrameworkAuthentication.js, jwtTokenExtractor.js):
 * - header: alg RS256 (RS384/RS512 also allowed) and a `kid` found in the JWKS at the OpenID metadata's
 *   `jwks_uri`; the key's `endorsements`, if any, must include the activity's channelId ('msteams');
 * - iss must be exactly the configured ToBotFromChannelTokenIssuer ('https://api.botframework.com'),
 *   or the token is ignored (no identity, 401);
 * - aud must equal the bot's MicrosoftAppId (checked by isValidAppId, not by jsonwebtoken);
 * - serviceurl must equal the activity's serviceUrl exactly (string equality, trailing slash included);
 * - exp and nbf are checked with a clock tolerance of 5 minutes; a token without exp is NOT refused.
 */
export interface SigningKey {
  privateKey: KeyObject;
  kid: string;
}

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A JWT signed with RS256 by `privateKey`, naming `kid` in its header. */
export function rs256Token(claims: Record<string, unknown>, privateKey: KeyObject, kid: string): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(privateKey);
  return `${head}.${body}.${b64url(signature)}`;
}

/** A fresh RSA key pair with a random kid: the fake's trusted key, or an attacker's. */
export function newSigningKey(): SigningKey & { publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey, kid: randomBytes(12).toString('base64url') };
}

/** The claims of a token the Bot Connector service sends with an activity for `appId`. */
export function channelClaims(opts: { appId: string; serviceUrl: string; now?: number; ttlSeconds?: number }): Record<string, unknown> {
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  return {
    serviceurl: opts.serviceUrl,
    nbf: now - 60,
    exp: now + (opts.ttlSeconds ?? 3600),
    iss: BOT_FRAMEWORK_ISSUER,
    aud: opts.appId,
  };
}

/**
 * Tokens a bot must refuse (401), for the app `appId` and an activity from `serviceUrl`:
 * - foreignKey: valid claims, signed by an attacker's own fresh key naming its own kid (not in the JWKS);
 * - foreignKeyTrustedKid: the same, but naming the trusted key's kid (the signature does not verify);
 * - expired: signed by the trusted key, expired an hour ago (beyond the 5 minutes of clock tolerance);
 * - wrongAudience: signed by the trusted key, for another app id;
 * - wrongServiceUrl: signed by the trusted key, for another serviceUrl.
 * Note: botbuilder 4.23's CloudAdapter.process answers foreignKeyTrustedKid with 500, not 401
 * (jsonwebtoken's JsonWebTokenError is not an AuthenticationError); the others get 401.
 */
export function forgedTokens(trusted: SigningKey, opts: { appId: string; serviceUrl: string }) {
  const attacker = newSigningKey();
  const valid = channelClaims(opts);
  return {
    foreignKey: rs256Token(valid, attacker.privateKey, attacker.kid),
    foreignKeyTrustedKid: rs256Token(valid, attacker.privateKey, trusted.kid),
    expired: rs256Token(channelClaims({ ...opts, now: Date.now() - 2 * 3600_000, ttlSeconds: 3600 }), trusted.privateKey, trusted.kid),
    wrongAudience: rs256Token({ ...valid, aud: '00000000-0000-4000-8000-0000000000ff' }, trusted.privateKey, trusted.kid),
    wrongServiceUrl: rs256Token({ ...valid, serviceurl: 'https://smba.trafficmanager.net/evil/' }, trusted.privateKey, trusted.kid),
  };
}
