import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import type { ErrorObject, ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { pngSize } from './png';

/**
 * `npm run teams:package`: builds dist/teams-app.zip, the app package to upload in Teams (Apps →
 * Manage your apps → Upload an app). It holds teams/manifest.json with the bot's Microsoft App ID
 * filled in, and the two icons, at the root of the zip as Teams requires. Everything is checked
 * first, against Microsoft's published v1.19 JSON schema and the few rules it cannot express, and
 * every problem is reported at once.
 */

const ROOT = path.resolve(__dirname, '..');
export const TEAMS_DIR = path.join(ROOT, 'teams');
export const DEFAULT_OUT_FILE = path.join(ROOT, 'dist', 'teams-app.zip');

export const APP_ID_PLACEHOLDER = '{{MICROSOFT_APP_ID}}';
export const BOT_DOMAIN_PLACEHOLDER = '{{BOT_DOMAIN}}';
export const MANIFEST_VERSION = '1.19';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;
// A host name as validDomains takes it: no scheme, no path; a leading `*.` wildcard and a port are allowed.
const DOMAIN = /^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(:\d{1,5})?$/;
const WHERE_APP_ID = 'Azure portal → your Azure Bot resource → Configuration → Microsoft App ID';

// Teams' icon sizes (docs: Teams app icons); the schema only says so in descriptions.
const COLOR_ICON_SIZE = 192;
const OUTLINE_ICON_SIZE = 32;

export class TeamsPackageError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `Cannot build the Teams app package:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TeamsPackageError';
  }
}

/** What is wrong with MICROSOFT_APP_ID, as one line naming where to find it; null when it is a GUID. The value is never echoed. */
export function appIdProblem(appId: string | undefined): string | null {
  const id = appId?.trim() ?? '';
  if (id === '') return `MICROSOFT_APP_ID is not set: set it to the bot's Microsoft App ID, a GUID (${WHERE_APP_ID})`;
  if (!GUID.test(id))
    return `MICROSOFT_APP_ID is not a GUID: set it to the bot's Microsoft App ID, such as 00000000-0000-0000-0000-000000000000 (${WHERE_APP_ID})`;
  return null;
}

export function botDomainProblem(botDomain: string | undefined): string | null {
  const domain = botDomain?.trim() ?? '';
  if (domain === '' || DOMAIN.test(domain)) return null;
  return 'BOT_DOMAIN must be the host name the bot is served from, such as incident.example.com (no https://, no path), or unset';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every string in the document with its path, for the placeholder check. */
function strings(value: unknown, where: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') out.push([where, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${where}[${i}]`, out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) strings(v, where ? `${where}.${k}` : k, out);
  return out;
}

/**
 * The manifest with the placeholders filled in: the App ID everywhere it appears, and BOT_DOMAIN in
 * validDomains (the entry is dropped when no domain is given). Works on the parsed JSON, so a value
 * can never break the document.
 */
export function fillManifest(template: unknown, values: { appId: string; botDomain?: string }): Json {
  const domain = values.botDomain?.trim() || undefined;
  const fill = (value: unknown): Json => {
    if (typeof value === 'string') {
      let out = value.split(APP_ID_PLACEHOLDER).join(values.appId);
      if (domain !== undefined) out = out.split(BOT_DOMAIN_PLACEHOLDER).join(domain);
      return out;
    }
    if (Array.isArray(value)) return value.filter((v) => domain !== undefined || v !== BOT_DOMAIN_PLACEHOLDER).map(fill);
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value as Json;
  };
  return fill(template);
}

/** Microsoft's published manifest schema (MIT), from @microsoft/app-manifest: read in place, never copied, so an update of the package updates the rules. */
export const SCHEMA_FILE = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`);

let validator: ValidateFunction | undefined;

/** The v1.19 schema compiled once; it is draft-04, which ajv 8 only reads through ajv-draft-04. */
export function manifestValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $schema?: string };
    if (schema.$schema !== 'http://json-schema.org/draft-04/schema#')
      throw new Error(`${SCHEMA_FILE} is no longer a draft-04 schema (${schema.$schema}): validate it with the matching ajv class`);
    // strictTypes off as Microsoft's own validator has it: the schema puts additionalProperties beside $ref without "type".
    const ajv = new AjvDraft04({ allErrors: true, verbose: true, strictTypes: false });
    addFormats(ajv, ['uri', 'email', 'regex']);
    validator = ajv.compile(schema);
  }
  return validator;
}

/** `/bots/0/commandLists` as `bots[0].commandLists`, the way the other problems name fields. */
function fieldName(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '') || 'manifest.json';
}

/** One schema error in the words the old hand-written rules used, so the fix is plain. */
function schemaProblem(e: ErrorObject): string {
  const where = fieldName(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const ref = /#\/definitions\/(\w+)\//.exec(e.schemaPath)?.[1];
  switch (e.keyword) {
    case 'required':
      return `${where === 'manifest.json' ? '' : `${where}.`}${String(params.missingProperty)} is required`;
    case 'additionalProperties':
      return `${where === 'manifest.json' ? '' : `${where}.`}${String(params.additionalProperty)} is not a manifest v${MANIFEST_VERSION} field`;
    case 'maxLength':
      return `${where} is ${String(e.data).length} characters; Teams allows at most ${String(params.limit)}`;
    case 'maxItems':
      return `${where} has ${Array.isArray(e.data) ? e.data.length : '?'} entries; Teams allows at most ${String(params.limit)}`;
    case 'const':
      return `${where} must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      if (ref === 'guid') return `${where} must be a GUID (the bot's Microsoft App ID)`;
      if (ref === 'hexColor') return `${where} must be a colour such as #D13438`;
      if (ref === 'httpsUrl') return `${where} must be an https:// URL`;
      return `${where} ${e.message ?? 'does not match the schema'}`;
    default:
      return `${where} ${e.message ?? 'does not match the schema'}`;
  }
}

/**
 * Every way the (filled-in) manifest breaks Microsoft's v1.19 schema or what Teams needs to install
 * this bot, each naming the field. `files` are the package's other files by name, to check the icons.
 */
export function manifestProblems(manifest: unknown, files: Record<string, Uint8Array> = {}): string[] {
  const validate = manifestValidator();
  const problems = validate(manifest) ? [] : [...new Set((validate.errors ?? []).map(schemaProblem))];
  if (!isObject(manifest)) return problems;
  const get = (obj: unknown, key: string): unknown => (isObject(obj) ? obj[key] : undefined);

  // What the schema leaves out. Its `version` is any string, although its own description (and
  // Teams, at upload) demands semver; it has a semver definition but does not use it there.
  if (typeof manifest.version === 'string' && !SEMVER.test(manifest.version))
    problems.push('version must be a version such as 1.0.0 (raise it for each upload that changes the manifest)');

  // The schema allows an app without a bot; this package exists to install one.
  const bots = manifest.bots;
  if (!Array.isArray(bots) || bots.length !== 1) problems.push('bots must hold exactly one bot');
  else {
    // Unique by title, case-insensitively, as Teams matches them: JSON Schema's uniqueItems compares whole objects.
    (Array.isArray(get(bots[0], 'commandLists')) ? (get(bots[0], 'commandLists') as unknown[]) : []).forEach((list, l) => {
      const seen = new Set<string>();
      const commands = get(list, 'commands');
      for (const command of Array.isArray(commands) ? commands : []) {
        const title = get(command, 'title');
        if (typeof title !== 'string') continue;
        if (seen.has(title.toLowerCase())) problems.push(`bots[0].commandLists[${l}] lists the command "${title}" twice`);
        seen.add(title.toLowerCase());
      }
    });
  }

  // The icons are files in the zip, which the schema cannot see: present, PNG, and the sizes Teams requires.
  for (const [key, size, what] of [
    ['color', COLOR_ICON_SIZE, 'full colour'],
    ['outline', OUTLINE_ICON_SIZE, 'white on transparent'],
  ] as const) {
    const name = get(manifest.icons, key);
    if (typeof name !== 'string' || name === '') {
      if (name !== undefined) problems.push(`icons.${key} must name a ${size}×${size} PNG (${what})`);
      continue;
    }
    const bytes = files[name];
    const dims = bytes ? pngSize(bytes) : null;
    if (!bytes) problems.push(`icons.${key} names ${name}, which is not in the package (teams/${name})`);
    else if (!dims) problems.push(`icons.${key} (${name}) is not a PNG`);
    else if (dims.width !== size || dims.height !== size) problems.push(`icons.${key} (${name}) is ${dims.width}×${dims.height}; Teams needs ${size}×${size}`);
  }

  // A placeholder is a valid string to the schema (a domain, say), but is never what Teams should get.
  for (const [where, value] of strings(manifest, '')) {
    const left = /\{\{[^}]*\}\}/.exec(value);
    if (left) problems.push(`${where} still holds the placeholder ${left[0]}`);
  }
  return problems;
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

// 1980-01-01 00:00, the first MS-DOS date: a fixed timestamp makes the same inputs give the same zip.
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;
const ZIP_VERSION = 20; // 2.0: deflate

/** A zip archive of the entries, each deflated (local headers, central directory, end record; no zip64). */
export function writeZip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data) >>> 0;
    // General purpose flag bit 11: the name is UTF-8.
    const flags = /^[\x20-\x7e]*$/.test(entry.name) ? 0 : 0x0800;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(ZIP_VERSION, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // no extra field
    parts.push(local, name, packed);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(ZIP_VERSION, 4); // made by: MS-DOS / FAT attributes, version 2.0
    header.writeUInt16LE(ZIP_VERSION, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(packed.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(name.length, 28);
    // Extra field length, comment length, disk number, internal and external attributes: all 0.
    header.writeUInt32LE(offset, 42);
    central.push(header, name);

    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  // Disk numbers 0 and 0.
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  // No comment.
  return Buffer.concat([...parts, directory, end]);
}

export interface TeamsPackageOptions {
  /** The bot's Microsoft App ID (env MICROSOFT_APP_ID). */
  appId: string | undefined;
  /** Where to write the zip; default dist/teams-app.zip. Its folder is created when missing. */
  outFile?: string;
  /** The host the bot is served from (env BOT_DOMAIN), listed in validDomains; left out when unset. */
  botDomain?: string;
  /** Where manifest.json and the icons are read from; default teams/. */
  sourceDir?: string;
}

/** Checks everything, then writes the package; returns the zip's path. Throws TeamsPackageError listing every problem. */
export function buildTeamsPackage(options: TeamsPackageOptions): string {
  const sourceDir = options.sourceDir ?? TEAMS_DIR;
  const outFile = path.resolve(options.outFile ?? DEFAULT_OUT_FILE);
  const problems: string[] = [];
  const idProblem = appIdProblem(options.appId);
  const domainProblem = botDomainProblem(options.botDomain);
  if (idProblem) problems.push(idProblem);
  if (domainProblem) problems.push(domainProblem);

  let template: unknown;
  try {
    template = JSON.parse(readFileSync(path.join(sourceDir, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new TeamsPackageError([...problems, `cannot read ${path.join(sourceDir, 'manifest.json')}: ${(err as Error).message}`]);
  }
  // A bad id or domain is reported once, above; the rest of the manifest is still checked with stand-ins.
  const appId = idProblem ? '00000000-0000-0000-0000-000000000000' : options.appId!.trim();
  const botDomain = domainProblem ? undefined : options.botDomain;
  const manifest = fillManifest(template, { appId, botDomain });

  const icons: Record<string, Buffer> = {};
  for (const key of ['color', 'outline']) {
    const name = isObject(manifest) && isObject(manifest.icons) ? manifest.icons[key] : undefined;
    if (typeof name !== 'string' || name === '' || path.basename(name) !== name) continue; // reported by manifestProblems
    const file = path.join(sourceDir, name);
    if (existsSync(file)) icons[name] = readFileSync(file);
  }
  problems.push(...manifestProblems(manifest, icons));
  if (problems.length > 0) throw new TeamsPackageError(problems);

  const entries: ZipEntry[] = [{ name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') }];
  for (const [name, data] of Object.entries(icons)) entries.push({ name, data });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, writeZip(entries));
  return outFile;
}

/** The command line: reads MICROSOFT_APP_ID and BOT_DOMAIN from the environment, then from .env. */
export function main(env: NodeJS.ProcessEnv = process.env): number {
  const dotenv = path.join(ROOT, '.env');
  // Variables already set win over .env, as with the bot itself.
  if (env === process.env && existsSync(dotenv)) process.loadEnvFile(dotenv);
  try {
    const file = buildTeamsPackage({ appId: env.MICROSOFT_APP_ID, botDomain: env.BOT_DOMAIN || undefined });
    console.log(`Wrote ${path.relative(process.cwd(), file) || file}: manifest.json, color.png, outline.png`);
    console.log('Upload it in Teams: Apps → Manage your apps → Upload an app (see docs/teams.md).');
    return 0;
  } catch (err) {
    if (!(err instanceof TeamsPackageError)) throw err;
    console.error(err.message);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main();
}
