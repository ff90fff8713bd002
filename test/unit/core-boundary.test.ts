import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * src/core holds the incident rules and must run without Slack, Teams, Postgres or Redis:
 * it may import itself, node: builtins, zod and yaml, and nothing else.
 */
const ROOT = path.resolve(__dirname, '../..');
const CORE = path.join(ROOT, 'src', 'core');
const ALLOWED_PACKAGES = ['zod', 'yaml'];

// import … from 'x' / export … from 'x' / import 'x' / import('x') / require('x')
const SPECIFIER = /\b(?:from|import)\s*['"]([^'"]+)['"]|\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.isFile() && e.name.endsWith('.ts') ? [full] : [];
  });
}

function allowed(specifier: string, fromFile: string): boolean {
  if (specifier.startsWith('.')) {
    const target = path.resolve(path.dirname(fromFile), specifier);
    return target === CORE || target.startsWith(CORE + path.sep);
  }
  if (specifier.startsWith('node:')) return true;
  return ALLOWED_PACKAGES.some((p) => specifier === p || specifier.startsWith(`${p}/`));
}

/** Every import of `file` (given its text) that leaves the core, as "file:line imports 'x'". */
function violations(file: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(SPECIFIER)) {
    const specifier = (m[1] ?? m[2])!;
    if (allowed(specifier, file)) continue;
    const line = source.slice(0, m.index).split('\n').length;
    out.push(`${path.relative(ROOT, file)}:${line} imports '${specifier}'`);
  }
  return out;
}

// Slack markup and Slack's command syntax: a Teams or console user would read them raw.
const PLATFORM_MARKUP = ['<@', '<#', '<!', '/incident'];

/** The code of a file without comments and import specifiers, where platform words may be named. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/\b(from|import|require)\s*\(?\s*['"][^'"]*['"]/g, '');
}

/** Each place in `file` where the core writes platform markup, as "file:line holds 'x'". */
function markup(file: string, source: string): string[] {
  const code = codeOnly(source);
  return code
    .split('\n')
    .flatMap((line, i) => PLATFORM_MARKUP.filter((m) => line.includes(m)).map((m) => `${path.relative(ROOT, file)}:${i + 1} holds '${m}'`));
}

describe('src/core boundary', () => {
  it('finds the core sources to check', () => {
    const files = tsFiles(CORE).map((f) => path.relative(CORE, f));
    expect(files).toEqual(expect.arrayContaining(['runbook/loader.ts', 'render/views.ts', 'model.ts', 'errors.ts']));
  });

  it('imports nothing outside src/core except node: builtins, zod and yaml', () => {
    const found = tsFiles(CORE).flatMap((f) => violations(f, readFileSync(f, 'utf8')));
    if (found.length > 0) {
      throw new Error(
        `src/core must not depend on Slack, Teams, Postgres, Redis or other adapters. Move these behind a port in src/core/ports.ts:\n  ${found.join('\n  ')}`,
      );
    }
  });

  it('writes no Slack markup nor Slack command syntax: each surface words and formats its own', () => {
    const found = tsFiles(CORE).flatMap((f) => markup(f, readFileSync(f, 'utf8')));
    if (found.length > 0) {
      throw new Error(`src/core must stay platform-neutral. Use Text spans ({user}, {channel}, {command}) instead:\n  ${found.join('\n  ')}`);
    }
  });

  it('flags markup in strings but not in comments or import paths', () => {
    const file = path.join(CORE, 'incident', 'example.ts');
    const source = [
      "import { label } from '../model';",
      '// Slack shows <@U1> as a mention; /incident is its command.',
      'const a = `Ask <@${user}>`;',
      "const b = 'Try `/incident sev 2`';",
      'const c = "<!channel>";',
    ].join('\n');
    expect(markup(file, source)).toEqual([
      "src/core/incident/example.ts:3 holds '<@'",
      "src/core/incident/example.ts:4 holds '/incident'",
      "src/core/incident/example.ts:5 holds '<!'",
    ]);
  });

  describe('the check itself', () => {
    const file = path.join(CORE, 'incident', 'example.ts');

    it('flags adapter, store, job and driver imports with file and line', () => {
      const source = [
        "import { z } from 'zod';",
        "import { WebClient } from '@slack/web-api';",
        "import type { Pool } from 'pg';",
        'import {',
        '  Queue,',
        "} from 'bullmq';",
        "import Redis from 'ioredis';",
        "import { TurnContext } from 'botbuilder';",
        "import { reply } from '../../adapters/slack/reply';",
        "export { IncidentStore } from '../../store/incident-store';",
        "const q = require('../../jobs/queue');",
        "const lazy = () => import('../../adapters/slack/client');",
        "import { readFileSync } from 'fs';",
      ].join('\n');
      expect(violations(file, source)).toEqual([
        "src/core/incident/example.ts:2 imports '@slack/web-api'",
        "src/core/incident/example.ts:3 imports 'pg'",
        "src/core/incident/example.ts:6 imports 'bullmq'",
        "src/core/incident/example.ts:7 imports 'ioredis'",
        "src/core/incident/example.ts:8 imports 'botbuilder'",
        "src/core/incident/example.ts:9 imports '../../adapters/slack/reply'",
        "src/core/incident/example.ts:10 imports '../../store/incident-store'",
        "src/core/incident/example.ts:11 imports '../../jobs/queue'",
        "src/core/incident/example.ts:12 imports '../../adapters/slack/client'",
        "src/core/incident/example.ts:13 imports 'fs'",
      ]);
    });

    it('lets the core import itself, node: builtins, zod and yaml', () => {
      const source = [
        "import { UserError } from '../errors';",
        "import type { Snapshot } from './model';",
        "import type { Runbook } from '../runbook/schema';",
        "import { readFileSync } from 'node:fs';",
        "import { parseDocument } from 'yaml';",
        "import { z } from 'zod';",
        "import { z as z4 } from 'zod/v4';",
      ].join('\n');
      expect(violations(file, source)).toEqual([]);
    });
  });
});

/**
 * The layers inside src/core, lowest first. A file may import its own layer and the ones below it,
 * never one above: the vocabulary (types, errors, the job contract, neutral Text and buttons)
 * knows no runbook; runbooks know no use case; use cases decide facts and know no wording; render
 * words them; commands parse and dispatch to all of them. A path ending in '/' is a folder; a
 * file named on its own wins over its folder.
 */
const LAYERS: ReadonlyArray<{ name: string; paths: string[] }> = [
  { name: 'vocabulary', paths: ['errors.ts', 'ports.ts', 'jobs.ts', 'reports.ts', 'search.ts', 'model.ts', 'text/'] },
  { name: 'runbook', paths: ['runbook/'] },
  { name: 'incident', paths: ['incident/'] },
  { name: 'render', paths: ['render/'] },
  { name: 'commands', paths: ['commands/'] },
];

/** The layer of a file given relative to src/core (posix separators), or -1 if none claims it. */
function layerOf(rel: string): number {
  const exact = LAYERS.findIndex((l) => l.paths.includes(rel));
  if (exact >= 0) return exact;
  return LAYERS.findIndex((l) => l.paths.some((p) => p.endsWith('/') && rel.startsWith(p)));
}

/** The core file a relative specifier names, relative to src/core. */
function coreTarget(fromRel: string, specifier: string): string {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), specifier));
  return target.endsWith('.ts') ? target : `${target}.ts`;
}

/** Each import of `rel` (a file relative to src/core) from a higher layer, as "file:line imports 'x' (layer a above b)". */
function upwardImports(rel: string, source: string): string[] {
  const from = layerOf(rel);
  const out: string[] = [];
  for (const m of source.matchAll(SPECIFIER)) {
    const specifier = (m[1] ?? m[2])!;
    if (!specifier.startsWith('.')) continue;
    const target = coreTarget(rel, specifier);
    const to = layerOf(target);
    if (to <= from) continue;
    const line = source.slice(0, m.index).split('\n').length;
    out.push(`src/core/${rel}:${line} imports '${specifier}' (${LAYERS[to]?.name ?? 'no layer'} is above ${LAYERS[from]?.name ?? 'no layer'})`);
  }
  return out;
}

describe('the layers inside src/core', () => {
  const files = tsFiles(CORE).map((f) => path.relative(CORE, f).split(path.sep).join('/'));

  it('puts every core file in a layer', () => {
    expect(files.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('imports only from its own layer or a lower one', () => {
    const found = files.flatMap((f) => upwardImports(f, readFileSync(path.join(CORE, f), 'utf8')));
    if (found.length > 0) {
      throw new Error(
        `Inside src/core, arrows point down (${LAYERS.map((l) => l.name).join(' < ')}). Move the shared piece down, or return facts and word them in render/:\n  ${found.join('\n  ')}`,
      );
    }
  });

  describe('the check itself', () => {
    it('places model and neutral text below runbooks, and use cases below render and commands', () => {
      expect(['model.ts', 'text/text.ts', 'runbook/schema.ts', 'incident/resolve.ts', 'render/replies.ts', 'commands/dispatch.ts'].map(layerOf)).toEqual([
        0, 0, 1, 2, 3, 4,
      ]);
    });

    it('flags an import from a higher layer with file, line and layers', () => {
      const source = [
        "import type { Snapshot } from './model';",
        "import { durationMs } from '../runbook/schema';",
        "import { statusText } from '../render/replies';",
        "import { commandFor } from '../commands/parse';",
      ].join('\n');
      expect(upwardImports('incident/example.ts', source)).toEqual([
        "src/core/incident/example.ts:3 imports '../render/replies' (render is above incident)",
        "src/core/incident/example.ts:4 imports '../commands/parse' (commands is above incident)",
      ]);
      expect(upwardImports('ports.ts', "import type { Text } from './render/text';")).toEqual([
        "src/core/ports.ts:1 imports './render/text' (render is above vocabulary)",
      ]);
    });
  });
});

describe('the Teams SDK stays in src/adapters/teams', () => {
  // botbuilder JS is archived upstream; moving to its successor must touch that folder only.
  it('no other source imports botbuilder or botframework-*', () => {
    const teams = path.join(ROOT, 'src', 'adapters', 'teams') + path.sep;
    const found = tsFiles(path.join(ROOT, 'src'))
      .filter((f) => !f.startsWith(teams))
      .flatMap((f) => {
        const source = readFileSync(f, 'utf8');
        return [...source.matchAll(SPECIFIER)]
          .map((m) => (m[1] ?? m[2])!)
          .filter((s) => s === 'botbuilder' || s.startsWith('botbuilder-') || s.startsWith('botframework-'))
          .map((s) => `${path.relative(ROOT, f)} imports '${s}'`);
      });
    expect(found).toEqual([]);
  });
});
