import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ADD_TO_TIMELINE } from '../../src/adapters/slack/pin-notes';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

// Slack's manifest schema (slackapi/manifest-schema, MIT), copied into test/fixtures with its licence.
// It is draft-07, so the default Ajv build applies. The root schema points online; we compile the
// versioned file directly.
const SCHEMA_DIR = path.resolve(__dirname, '../fixtures/slack-manifest');
const SLACK_DIR = path.resolve(__dirname, '../../slack');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface SlashCommand {
  command: string;
  url?: string;
  should_escape?: boolean;
}

interface Manifest {
  features: { slash_commands: SlashCommand[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string };
    event_subscriptions?: { request_url?: string; bot_events: string[] };
    socket_mode_enabled: boolean;
  };
}

function readJson<T = Json>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function compileManifestSchema(): ValidateFunction {
  // strict: false because the schema uses non-standard keywords ("regex", "_note").
  const ajv = new Ajv({ strict: false, allErrors: true });
  // The only format used is "uri" (for the optional top-level "$schema" string); ajv-formats is not installed.
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:[^\s]*$/i);
  return ajv.compile(readJson<object>(path.join(SCHEMA_DIR, 'manifest.schema.2.0.0.json')));
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

function expectAccepted(validate: ValidateFunction, document: unknown): void {
  const ok = validate(document);
  if (!ok) throw new Error(`manifest rejected by Slack's schema:\n${describeErrors(validate.errors)}`);
}

/** Every string value found under a key named like a URL field, anywhere in the document. */
function urlFields(value: Json, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) urlFields(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (/url|uri/i.test(key)) found.push(`${key}=${JSON.stringify(inner)}`);
      urlFields(inner, found);
    }
  } else if (typeof value === 'string' && /^https?:\/\//.test(value)) {
    found.push(value);
  }
  return found;
}

const EXPECTED_BOT_SCOPES = [
  'commands',
  'chat:write',
  'channels:manage',
  'channels:read',
  'channels:history',
  'pins:write',
  // A 📌 on a message adds it to the incident's timeline (reaction_added).
  'reactions:read',
  'usergroups:read',
  // Escalation: find people and private channels by name, message people, and find those messages again.
  'users:read',
  'groups:read',
  'groups:history',
  'im:write',
  'im:history',
];

describe('Slack app manifests', () => {
  const validate = compileManifestSchema();
  const httpManifest = readJson<Manifest>(path.join(SLACK_DIR, 'manifest.http.json'));
  const socketManifest = readJson<Manifest>(path.join(SLACK_DIR, 'manifest.socket.json'));

  describe("the validator built from Slack's schema", () => {
    it("accepts Slack's own valid example manifest", () => {
      expectAccepted(validate, readJson(path.join(SCHEMA_DIR, 'example.valid.json')));
    });

    it("rejects Slack's own invalid example manifest", () => {
      expect(validate(readJson(path.join(SCHEMA_DIR, 'example.invalid.json')))).toBe(false);
      expect(validate.errors?.some((e) => e.instancePath.startsWith('/workflows'))).toBe(true);
    });

    it('rejects a manifest whose slash command lacks the leading slash', () => {
      const broken = structuredClone(httpManifest);
      broken.features.slash_commands[0]!.command = 'incident';
      expect(validate(broken)).toBe(false);
    });
  });

  it("the HTTP manifest is accepted by Slack's manifest schema", () => {
    expectAccepted(validate, httpManifest);
  });

  it("the Socket Mode manifest is accepted by Slack's manifest schema", () => {
    expectAccepted(validate, socketManifest);
  });

  it.each([
    ['HTTP', httpManifest],
    ['Socket Mode', socketManifest],
  ])('the %s manifest offers /incident with user mentions escaped and the expected bot scopes', (_name, manifest) => {
    const commands = manifest.features.slash_commands;
    expect(commands.map((c) => c.command)).toEqual(['/incident']);
    expect(commands[0]!.should_escape).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.oauth_config.scopes.bot).toEqual(EXPECTED_BOT_SCOPES);
  });

  it.each([
    ['HTTP', httpManifest],
    ['Socket Mode', socketManifest],
  ])('the %s manifest subscribes to the App Home and to 📌 reactions (reaction_added), and offers the Add to incident timeline shortcut', (_name, manifest) => {
    expect(manifest.settings.event_subscriptions?.bot_events).toEqual(['app_home_opened', 'reaction_added']);
    const shortcuts = (manifest.features as { shortcuts?: Array<{ type: string; callback_id: string }> }).shortcuts;
    expect(shortcuts).toEqual([expect.objectContaining({ type: 'message', callback_id: ADD_TO_TIMELINE })]);
  });

  it('the HTTP manifest sends the slash command and interactivity to /slack/events over HTTPS', () => {
    const command = httpManifest.features.slash_commands[0]!;
    expect(httpManifest.settings.socket_mode_enabled).toBe(false);
    for (const url of [command.url, httpManifest.settings.interactivity.request_url]) {
      expect(url).toBeDefined();
      const parsed = new URL(url!);
      expect(parsed.protocol).toBe('https:');
      expect(parsed.pathname).toMatch(/\/slack\/events$/);
    }
  });

  it('the Socket Mode manifest enables Socket Mode and declares no request URLs', () => {
    expect(socketManifest.settings.socket_mode_enabled).toBe(true);
    expect(urlFields(socketManifest as unknown as Json)).toEqual([]);
  });

  it('the two manifests differ only in transport (URLs and socket_mode_enabled)', () => {
    const stripped = structuredClone(httpManifest);
    delete stripped.features.slash_commands[0]!.url;
    delete stripped.settings.interactivity.request_url;
    delete stripped.settings.event_subscriptions!.request_url;
    stripped.settings.socket_mode_enabled = true;
    expect(socketManifest).toEqual(stripped);
  });
});
