import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, inflateRawSync, inflateSync } from 'node:zlib';
import { commandText } from '../../src/adapters/teams/activity-text';
import { ADD_TO_TIMELINE_COMMAND } from '../../src/adapters/teams/message-action';
import { parseCommand, type Command, type MentionReader } from '../../src/core/commands/parse';
import { commandFor } from '../../src/core/text/words';
import { loadCatalog } from '../../src/core/runbook/loader';
import { ACCENT_COLOR, colorIconPixels, outlineIconPixels } from '../../scripts/teams-icons';
import {
  buildTeamsPackage,
  fillManifest,
  main,
  manifestProblems,
  manifestValidator,
  SCHEMA_FILE,
  TeamsPackageError,
  writeZip,
} from '../../scripts/teams-package';

const ROOT = path.resolve(__dirname, '../..');
const TEAMS_DIR = path.join(ROOT, 'teams');
const APP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

interface ManifestCommand {
  title: string;
  description: string;
}
interface Manifest {
  id: string;
  manifestVersion: string;
  accentColor: string;
  icons: { color: string; outline: string };
  bots: Array<{ botId: string; scopes: string[]; commandLists: Array<{ scopes: string[]; commands: ManifestCommand[] }> }>;
  validDomains?: string[];
  composeExtensions?: Array<{ botId: string; commands: Array<Record<string, unknown>> }>;
}

/** Reads a zip the way an unzip tool does, from the central directory, checking each entry's CRC and size. */
function readZip(zip: Buffer): Map<string, Buffer> {
  let end = -1;
  for (let i = zip.length - 22; i >= 0; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory header at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const packedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + skip;

    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const packed = zip.subarray(start, start + packedSize);
    const data = method === 8 ? inflateRawSync(packed) : method === 0 ? Buffer.from(packed) : null;
    if (!data) throw new Error(`${name}: unsupported compression method ${method}`);
    if (data.length !== size) throw new Error(`${name}: size ${data.length}, directory says ${size}`);
    if (crc32(data) >>> 0 !== crc) throw new Error(`${name}: CRC mismatch`);
    files.set(name, data);
  }
  return files;
}

/** Width and height from the IHDR chunk, checked independently of scripts/png.ts. */
function ihdr(png: Buffer): { width: number; height: number; bitDepth: number; colorType: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png[24]!, colorType: png[25]! };
}

/** The RGBA pixels of an 8-bit RGBA PNG whose rows all use filter 0, as scripts/png.ts writes them. */
function pixels(png: Buffer): Uint8Array {
  const { width, height, bitDepth, colorType } = ihdr(png);
  expect([bitDepth, colorType]).toEqual([8, 6]);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(data, crc32(Buffer.from(type, 'ascii'))) >>> 0);
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0);
    out.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return out;
}

function commandsOf(manifest: Manifest): ManifestCommand[] {
  return manifest.bots.flatMap((b) => b.commandLists.flatMap((l) => l.commands));
}

const BOT = { id: '28:incident-bot', name: 'Incident' };
const JANE = { id: '29:jane-doe', name: 'Jane Doe' };

/**
 * Parses a message as the Teams adapter does: `@Incident <text>` as Teams sends it (mentions as
 * <at> tags plus entities), through the adapter's commandText (drops the bot's mention and a leading
 * `incident`), then the one parser every surface uses.
 */
function parseTeams(text: string): Command {
  const tagged = `<at>${BOT.name}</at> ${text.replace('@jane', `<at>${JANE.name}</at>`)}`;
  const entities = [BOT, JANE]
    .filter((who) => tagged.includes(`<at>${who.name}</at>`))
    .map((who) => ({ type: 'mention', mentioned: who, text: `<at>${who.name}</at>` }));
  const { text: command, mentions } = commandText({ type: 'message', text: tagged, recipient: BOT, entities });
  const readMention: MentionReader = (word) => mentions.get(word)?.teamsId ?? null;
  return parseCommand(command, readMention);
}

// A complete example of each manifest command, as a user would type it after @Incident.
const EXAMPLES: Record<string, { text: string; kind: string }> = {
  incident: { text: 'incident pdf-404 invoices return 404', kind: 'declare' },
  ack: { text: 'ack', kind: 'ack' },
  status: { text: 'status INC-7', kind: 'status' },
  resolve: { text: 'resolve rolled back the deploy', kind: 'resolve' },
  sev: { text: 'sev 2', kind: 'sev' },
  commander: { text: 'commander @jane', kind: 'commander' },
  escalate: { text: 'escalate nobody from documents answers', kind: 'escalate' },
  probe: { text: 'probe', kind: 'probe' },
  list: { text: 'list', kind: 'list' },
  help: { text: 'help', kind: 'help' },
};

describe('Teams app package', () => {
  const template = JSON.parse(readFileSync(path.join(TEAMS_DIR, 'manifest.json'), 'utf8')) as Manifest;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'teams-package-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the built zip', () => {
    let files: Map<string, Buffer>;
    let manifest: Manifest;

    beforeAll(() => {
      const out = buildTeamsPackage({ appId: APP_ID, outFile: path.join(dir, 'nested', 'teams-app.zip') });
      expect(out).toBe(path.join(dir, 'nested', 'teams-app.zip'));
      files = readZip(readFileSync(out));
      manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest;
    });

    it('holds exactly manifest.json and the two icons, at the root', () => {
      expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    });

    it('carries the App ID as the app id and the bot id, with no placeholder left', () => {
      expect(manifest.manifestVersion).toBe('1.19');
      expect(manifest.id).toBe(APP_ID);
      expect(manifest.bots).toHaveLength(1);
      expect(manifest.bots[0]!.botId).toBe(APP_ID);
      expect(files.get('manifest.json')!.toString('utf8')).not.toContain('{{');
      // No BOT_DOMAIN given: its entry is dropped rather than left as a placeholder.
      expect(manifest.validDomains).toEqual([]);
    });

    it('lists the bot in team, personal and group chat, without files or notification-only', () => {
      expect(manifest.bots[0]!.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
      expect(manifest.bots[0]).toMatchObject({ supportsFiles: false, isNotificationOnly: false });
      expect(manifest.bots[0]!.commandLists.flatMap((l) => l.scopes).sort()).toEqual(['personal', 'team']);
    });

    it('keeps the commands within the v1.19 limits', () => {
      for (const list of manifest.bots[0]!.commandLists) {
        expect(list.commands.length).toBeLessThanOrEqual(10);
        for (const c of list.commands) {
          expect(c.title.length).toBeLessThanOrEqual(32);
          expect(c.description.length).toBeGreaterThan(0);
          expect(c.description.length).toBeLessThanOrEqual(128);
        }
      }
      expect(commandsOf(manifest).map((c) => c.title)).toEqual(Object.keys(EXAMPLES));
    });

    it('offers "Add to incident timeline" on messages, answered by the bot itself without a fetched dialog', () => {
      expect(manifest.composeExtensions).toEqual([
        {
          botId: APP_ID,
          commands: [
            expect.objectContaining({
              id: ADD_TO_TIMELINE_COMMAND,
              type: 'action',
              context: ['message'],
              title: 'Add to incident timeline',
              fetchTask: false,
              parameters: [expect.objectContaining({ name: 'add', inputType: 'toggle', value: 'true' })],
            }),
          ],
        },
      ]);
    });

    it('has a 192×192 colour icon and a 32×32 outline icon', () => {
      expect(ihdr(files.get(manifest.icons.color)!)).toMatchObject({ width: 192, height: 192 });
      expect(ihdr(files.get(manifest.icons.outline)!)).toMatchObject({ width: 32, height: 32 });
    });

    it('copies the committed icons as they are', () => {
      expect(files.get('color.png')!.equals(readFileSync(path.join(TEAMS_DIR, 'color.png')))).toBe(true);
      expect(files.get('outline.png')!.equals(readFileSync(path.join(TEAMS_DIR, 'outline.png')))).toBe(true);
    });

    it('puts BOT_DOMAIN in validDomains when given', () => {
      const out = buildTeamsPackage({ appId: APP_ID, outFile: path.join(dir, 'with-domain.zip'), botDomain: 'incident.example.com' });
      const withDomain = JSON.parse(readZip(readFileSync(out)).get('manifest.json')!.toString('utf8')) as Manifest;
      expect(withDomain.validDomains).toEqual(['incident.example.com']);
    });

    it('is the same bytes for the same inputs', () => {
      const again = buildTeamsPackage({ appId: APP_ID, outFile: path.join(dir, 'again.zip') });
      expect(readFileSync(again).equals(readFileSync(path.join(dir, 'nested', 'teams-app.zip')))).toBe(true);
    });
  });

  describe('refusals', () => {
    function refusal(appId: string | undefined, botDomain?: string): TeamsPackageError {
      try {
        buildTeamsPackage({ appId, botDomain, outFile: path.join(dir, 'refused.zip') });
      } catch (err) {
        expect(err).toBeInstanceOf(TeamsPackageError);
        return err as TeamsPackageError;
      }
      throw new Error('expected the package to be refused');
    }

    it.each([undefined, '', '   '])('refuses a missing MICROSOFT_APP_ID (%p) in one line naming where to find it', (appId) => {
      const err = refusal(appId);
      expect(err.problems).toHaveLength(1);
      expect(err.message).not.toContain('\n');
      expect(err.message).toMatch(/^MICROSOFT_APP_ID is not set: .*Azure Bot resource → Configuration → Microsoft App ID/);
    });

    it.each(['incident-bot', '3f2504e04f8941d39a0c0305e82c3301', `${APP_ID}x`, 'xoxb-not-a-guid-at-all-0000-000000000000'])(
      'refuses %p, which is not a GUID, without echoing it',
      (appId) => {
        const err = refusal(appId);
        expect(err.message).toMatch(/^MICROSOFT_APP_ID is not a GUID: .*Azure Bot resource → Configuration → Microsoft App ID/);
        expect(err.message).not.toContain(appId);
      },
    );

    it('writes nothing when refused', () => {
      refusal('nope');
      expect(readdirSync(dir)).not.toContain('refused.zip');
    });

    it('reports every problem at once', () => {
      const err = refusal('nope', 'https://incident.example.com/api/messages');
      expect(err.problems).toEqual([expect.stringMatching(/^MICROSOFT_APP_ID is not a GUID/), expect.stringMatching(/^BOT_DOMAIN must be the host name/)]);
      expect(err.message.split('\n')).toHaveLength(3);
    });

    it('exits 1 from the command line with the one line on stderr', () => {
      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect(main({ MICROSOFT_APP_ID: '' })).toBe(1);
        expect(errors).toHaveBeenCalledTimes(1);
        expect(String(errors.mock.calls[0]![0])).toMatch(/^MICROSOFT_APP_ID is not set: .*Microsoft App ID\)$/);
      } finally {
        errors.mockRestore();
      }
    });

    it('checks a manifest against the v1.19 schema, reporting every problem together in plain words', () => {
      const bad = JSON.parse(JSON.stringify(template)) as Manifest & {
        name: { short: string };
        developer: { privacyUrl: string };
        version: string;
        colour?: string;
      };
      bad.id = APP_ID;
      bad.composeExtensions![0]!.botId = APP_ID;
      bad.bots[0]!.botId = 'not-a-guid';
      bad.name.short = 'Incident response bot for BraiFlow CRM';
      bad.developer.privacyUrl = 'ftp://example.com/privacy';
      bad.accentColor = 'red';
      bad.manifestVersion = '1.20';
      bad.version = '1.0';
      bad.colour = '#D13438';
      const commands = bad.bots[0]!.commandLists[0]!.commands;
      const longTitle = 'a title that is far too long for teams';
      commands.push({ title: longTitle, description: 'x'.repeat(129) }, { title: 'ACK', description: 'again' });
      const problems = manifestProblems(bad, {});
      expect(problems).toEqual(
        expect.arrayContaining([
          'manifestVersion must be "1.19"',
          'colour is not a manifest v1.19 field',
          "bots[0].botId must be a GUID (the bot's Microsoft App ID)",
          `name.short is ${bad.name.short.length} characters; Teams allows at most 30`,
          'developer.privacyUrl must be an https:// URL',
          'accentColor must be a colour such as #D13438',
          'bots[0].commandLists[0].commands has 12 entries; Teams allows at most 10',
          `bots[0].commandLists[0].commands[10].title is ${longTitle.length} characters; Teams allows at most 32`,
          'bots[0].commandLists[0].commands[10].description is 129 characters; Teams allows at most 128',
          // The rules the schema cannot express.
          'version must be a version such as 1.0.0 (raise it for each upload that changes the manifest)',
          'bots[0].commandLists[0] lists the command "ACK" twice',
          'icons.color names color.png, which is not in the package (teams/color.png)',
        ]),
      );
      expect(problems.filter((p) => p.includes('placeholder'))).toEqual(['validDomains[0] still holds the placeholder {{BOT_DOMAIN}}']);
    });

    it('names a missing required field, and a manifest without a bot', () => {
      const bare = fillManifest(template, { appId: APP_ID }) as Record<string, unknown>;
      delete bare.accentColor;
      delete bare.bots;
      expect(manifestProblems(bare, {})).toEqual(expect.arrayContaining(['accentColor is required', 'bots must hold exactly one bot']));
    });

    it('refuses icons of the wrong size', () => {
      const src = path.join(dir, 'wrong-icons');
      mkdirSync(src);
      copyFileSync(path.join(TEAMS_DIR, 'manifest.json'), path.join(src, 'manifest.json'));
      copyFileSync(path.join(TEAMS_DIR, 'color.png'), path.join(src, 'outline.png'));
      copyFileSync(path.join(TEAMS_DIR, 'outline.png'), path.join(src, 'color.png'));
      expect(() => buildTeamsPackage({ appId: APP_ID, sourceDir: src, outFile: path.join(dir, 'wrong.zip') })).toThrow(
        /icons\.color \(color\.png\) is 32×32; Teams needs 192×192[\s\S]*icons\.outline \(outline\.png\) is 192×192; Teams needs 32×32/,
      );
    });
  });

  describe('the committed files', () => {
    it("pass Microsoft's v1.19 schema (draft-04, from @microsoft/app-manifest) with nothing to report once filled in", () => {
      expect(SCHEMA_FILE).toMatch(/@microsoft[\\/]app-manifest[\\/].*[\\/]v1\.19[\\/]MicrosoftTeams\.schema\.json$/);
      expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')).$schema).toBe('http://json-schema.org/draft-04/schema#');
      for (const botDomain of [undefined, 'incident.example.com']) {
        const filled = fillManifest(template, { appId: APP_ID, botDomain });
        const validate = manifestValidator();
        expect(validate(filled) ? [] : validate.errors).toEqual([]);
        expect(
          manifestProblems(filled, {
            'color.png': readFileSync(path.join(TEAMS_DIR, 'color.png')),
            'outline.png': readFileSync(path.join(TEAMS_DIR, 'outline.png')),
          }),
        ).toEqual([]);
      }
    });

    it('keep the App ID placeholder, so no deployment-specific id is committed', () => {
      expect(template.id).toBe('{{MICROSOFT_APP_ID}}');
      expect(template.bots[0]!.botId).toBe('{{MICROSOFT_APP_ID}}');
    });

    it('use the icons scripts/teams-icons.ts draws, and its accent colour', () => {
      expect(template.accentColor).toBe(ACCENT_COLOR);
      // Pixels, not bytes: another zlib build may compress the same image differently.
      const same = (file: string, drawn: Uint8Array) => Buffer.from(pixels(readFileSync(path.join(TEAMS_DIR, file)))).equals(Buffer.from(drawn));
      expect(same('color.png', colorIconPixels())).toBe(true);
      expect(same('outline.png', outlineIconPixels())).toBe(true);
    });

    it('make the colour icon opaque and the outline icon white on transparent', () => {
      const color = pixels(readFileSync(path.join(TEAMS_DIR, 'color.png')));
      expect(color.filter((_, i) => i % 4 === 3 && color[i] !== 255)).toHaveLength(0);
      const outline = pixels(readFileSync(path.join(TEAMS_DIR, 'outline.png')));
      let drawn = 0;
      let clear = 0;
      let notWhite = 0;
      for (let i = 0; i < outline.length; i += 4) {
        if (outline[i + 3] === 0) clear++;
        else {
          drawn++;
          if (outline[i] !== 255 || outline[i + 1] !== 255 || outline[i + 2] !== 255) notWhite++;
        }
      }
      expect(notWhite).toBe(0);
      // Something is drawn, and the background is transparent.
      expect(drawn).toBeGreaterThan(50);
      expect(clear).toBeGreaterThan(drawn);
    });
  });

  describe('the commands it advertises', () => {
    const commands = commandsOf(template);

    it('are at most ten, each with an example here', () => {
      const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
      const perList = schema.properties.bots.items.properties.commandLists.items.properties.commands.maxItems as number;
      expect(perList).toBe(10);
      expect(commands.length).toBeLessThanOrEqual(perList);
      expect(commands.map((c) => c.title).sort()).toEqual(Object.keys(EXAMPLES).sort());
    });

    it.each(commands.map((c) => c.title))('"%s" is a command the bot parses', (title) => {
      const example = EXAMPLES[title]!;
      expect(example.text.split(/\s+/)[0]).toBe(title);
      const parsed = parseTeams(example.text);
      expect(parsed.kind).toBe(example.kind);
      if (title === 'incident') return;
      // A command word, not read as a runbook to declare; bare, it parses or asks for its argument.
      expect(commandFor(title)).toBe(example.kind);
      expect(parsed.kind).not.toBe('declare');
    });

    it('declares with "incident <runbook> <summary>" as the description shows, and hands over to a mentioned person', () => {
      expect(commandFor('incident')).toBeUndefined();
      const declared = { kind: 'declare', runbook: 'pdf-404', summary: 'invoices return 404' };
      expect(parseTeams('incident pdf-404 invoices return 404')).toEqual(declared);
      // The leading word is optional.
      expect(parseTeams('pdf-404 invoices return 404')).toEqual(declared);
      expect(parseTeams('commander @jane')).toEqual({ kind: 'commander', userId: JANE.id });
      const incident = commands.find((c) => c.title === 'incident')!;
      expect(incident.description).toContain('incident <runbook> <summary>');
      expect(incident.description).toContain('incident pdf-404 invoices return 404');
    });

    it('name in help exactly the shipped runbooks, none of which is called "incident"', () => {
      const catalog = loadCatalog(path.join(ROOT, 'playbooks'));
      const help = commands.find((c) => c.title === 'help')!;
      const named = /\(([^)]*)\)/.exec(help.description)![1]!.split(/,\s*/);
      expect(named.sort()).toEqual(catalog.all.map((p) => p.id).sort());
      // The adapter strips a leading "incident", so a runbook by that name could never be declared.
      expect(catalog.all.flatMap((p) => [p.id, ...p.aliases])).not.toContain('incident');
    });
  });

  it('writes any entries as a zip the reader round-trips, an empty file included', () => {
    const zip = writeZip([
      { name: 'a.txt', data: Buffer.from('hello teams\n') },
      { name: 'empty', data: Buffer.alloc(0) },
    ]);
    const file = path.join(dir, 'small.zip');
    writeFileSync(file, zip);
    const files = readZip(readFileSync(file));
    expect(files.get('a.txt')!.toString()).toBe('hello teams\n');
    expect(files.get('empty')!.length).toBe(0);
  });
});
