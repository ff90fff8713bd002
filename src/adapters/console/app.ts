import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { ConsoleConfig } from './settings';
import type { Dispatcher, Request } from '../../core/commands/dispatch';
import { parseCommand } from '../../core/commands/parse';
import { NotWrittenError, UserError } from '../../core/errors';
import { decodeAction } from '../../core/text/actions';
import { decodeAlertChoice, type DeclareAlert } from '../../core/text/alert-offer';
import { alertDeclaredText } from '../../core/render/notices';
import { internalErrorText, problemText } from '../../core/render/replies';
import type { Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import type { Route } from '../../http/server';
import { isForwarded } from '../../http/requests';
import { readForm, redirect, sendPage } from './form';
import type { ConsolePages, Viewer } from './pages-data';
import { ROUTES } from './pages/layout';
import { readResolveFormFields } from './pages/resolve-form';
import { readAnalysisFormFields } from './pages/analysis-form';
import { CONSOLE_WORKSPACE, consoleRoom, type ConsolePlatform } from './platform';
import { consoleReads } from './reads';
import { knownHosts, sameOrigin, servedOverHttps } from './origin';
import { cookie, cookies, ConsoleKeys, localClients } from './security';
import { SignInThrottle, type ThrottleOptions } from './throttle';

const ASSETS: Record<string, { file: string; type: string }> = {
  'console.css': { file: path.join(__dirname, 'assets', 'console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { file: path.join(__dirname, 'assets', 'console.js'), type: 'text/javascript; charset=utf-8' },
  // The browser build sits beside the package's main file; its own path is not exported.
  'chart.js': { file: path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js'), type: 'text/javascript; charset=utf-8' },
};

const SESSION = 'ib_session';
const LOGIN = 'ib_login';
const PERSON = 'ib_person';
/** How long a flash message waits for the page it was meant for. */
const FLASH_MS = 60_000;
/** A sign-in lasts 12 hours from its last use… */
export const LOGIN_MS = 12 * 3_600_000;
/** …renewed on a request once it is an hour old (not on every one: each renewal is a Set-Cookie). */
const LOGIN_RENEW_MS = 3_600_000;

/** What tests change: the sign-in throttle's limits and the time the login cookie is judged by. */
export interface ConsoleOptions {
  throttle?: ThrottleOptions;
  now?: () => number;
}

type Flash = { text: Text; ok: boolean };

/** How the console names the platforms an alert's incident may have been declared on instead. */
const PLATFORM_NAMES: Record<string, string> = { slack: 'Slack', teams: 'Teams' };

/** A console room, as the incident page's command box carries it. */
const ROOM = /^console:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The console's routes under /console. Every request proves where it comes from (this machine, or
 * the CONSOLE_TOKEN login cookie); every POST carries its session's CSRF token. Commands and clicks
 * go through the same Dispatcher as Slack and Teams, then redirect (303) to the page to show, with
 * the answer as a one-time flash.
 */
export class ConsoleApp {
  private readonly keys: ConsoleKeys;
  private readonly local: (address: string | undefined) => boolean;
  private readonly known: ReturnType<typeof knownHosts>;
  private readonly throttle: SignInThrottle;
  private readonly now: () => number;
  private readonly flashes = new Map<string, Flash & { at: number }>();
  /** Open live streams, ended at shutdown: a browser would hold one open for ever. */
  private readonly streams = new Set<ServerResponse>();
  private readonly reads: ReturnType<typeof consoleReads>;

  constructor(
    private readonly config: ConsoleConfig,
    private readonly platform: ConsolePlatform,
    private readonly dispatcher: Dispatcher,
    private readonly pages: ConsolePages,
    reads: ReturnType<typeof consoleReads>,
    private readonly logger: Logger,
    /** The signing key: CONSOLE_SECRET, or the one kept in Postgres. */
    secret: Buffer,
    /** Declares an unrouted alert as the runbook its form names; null: alerts are not wired here. */
    private readonly declareAlert: DeclareAlert | null,
    opts: ConsoleOptions = {},
  ) {
    this.keys = new ConsoleKeys(secret, config.token);
    this.local = localClients(config.allowFrom);
    this.known = knownHosts(config.publicUrl);
    this.throttle = new SignInThrottle(opts.throttle);
    this.now = opts.now ?? Date.now;
    this.reads = reads;
  }

  /** Ends every live stream; browsers reconnect to whichever process serves next. */
  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  routes(): Route[] {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: Error) => {
        const ref = randomUUID().slice(0, 8);
        this.logger.error({ platform: 'web', ref, err }, 'console request failed');
        if (!res.headersSent) sendPage(res, 500, this.pages.errorPage(500, `Something failed on our side (ref ${ref}).`));
        else res.end();
      });
    };
    const longLived = (p: string) => p.endsWith('/events');
    return [
      { method: 'GET', path: '/console', handler },
      { method: 'GET', path: '/console/', handler, longLived },
      { method: 'POST', path: '/console/', handler },
    ];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const p = url.pathname.replace(/\/+$/, '') || '/console';
    const from = req.socket.remoteAddress;
    if (!this.known(req)) {
      this.logger.warn({ platform: 'web', from, host: req.headers.host?.slice(0, 100) }, 'refused a console request for an unknown host name');
      return sendPage(
        res,
        421,
        this.pages.errorPage(421, 'The console answers under localhost, 127.0.0.1, [::1] and CONSOLE_PUBLIC_URL only: open it at one of those.'),
      );
    }
    if (!this.config.token && (isForwarded(req) || !this.local(from))) {
      this.logger.warn({ platform: 'web', from }, 'refused a console request from another machine');
      return sendPage(
        res,
        403,
        this.pages.errorPage(403, 'The console answers this machine only. Set CONSOLE_TOKEN to open it to others; it will then ask for the token.'),
      );
    }
    if (req.method === 'POST' && !this.fromOurPage(req)) {
      this.logger.warn({ platform: 'web', from, path: p, origin: req.headers.origin?.slice(0, 100) }, 'refused a console form from another site');
      return sendPage(res, 403, this.pages.errorPage(403, 'This form did not come from this console. Open the console and send it from there.'));
    }
    const jar = cookies(req);
    const secure = servedOverHttps(req, this.config.publicUrl);
    const asset = /^\/console\/assets\/([a-z.]+)$/.exec(p)?.[1];
    const setCookies: string[] = [];
    let session = this.keys.session(jar[SESSION]);
    if (!session) {
      const fresh = this.keys.newSession();
      session = fresh.id;
      setCookies.push(cookie(SESSION, fresh.cookie, { secure }));
    }
    const csrf = this.keys.csrf(session);
    if (p === '/console/login') return this.login(req, res, session, csrf, setCookies, secure);
    const loggedIn = !this.config.token || this.signedIn(session, jar[LOGIN], setCookies, secure);
    if (!loggedIn) {
      if (req.method === 'GET' && !asset) return redirect(res, '/console/login', { 'set-cookie': setCookies });
      return sendPage(res, 401, this.pages.errorPage(401, 'Sign in first: the console asks for its token.'), { 'set-cookie': setCookies });
    }
    if (asset) return this.asset(res, asset);
    const viewer: Viewer = { you: this.you(jar[PERSON]), people: this.config.people, csrf, tokenRequired: this.config.token !== null };
    const headers = { 'set-cookie': setCookies };
    if (req.method === 'POST') {
      const form = await readForm(req);
      if (!form) return sendPage(res, 400, this.pages.errorPage(400, 'That is not a form this console sends.'), headers);
      if (!this.keys.checks(csrf, form.csrf)) {
        this.logger.warn({ platform: 'web', path: p }, 'refused a console form without its CSRF token');
        return sendPage(
          res,
          403,
          this.pages.errorPage(403, 'This form is out of date or did not come from this console. Reload the page and try again.'),
          headers,
        );
      }
      if (p === '/console/logout') return this.logout(res, secure);
      if (p === '/console/you') return this.pickPerson(res, form, req, setCookies);
      if (p === '/console/command') return redirect(res, await this.command(session, viewer, form), headers);
      // The note box: its text is the note, never a command, whatever it starts with.
      if (p === ROUTES.note) return redirect(res, await this.command(session, viewer, { ...form, text: `note ${form.note ?? ''}` }), headers);
      if (p === '/console/click') return redirect(res, await this.click(session, viewer, form), headers);
      if (p === ROUTES.declareAlert) return redirect(res, await this.alertChoice(session, viewer, form), headers);
      return sendPage(res, 404, this.pages.errorPage(404, 'No such page.'), headers);
    }
    return this.page(req, res, p, session, viewer, headers);
  }

  /** A POST from a console page: same-origin by its headers, and a url-encoded form (a text/plain one is a cross-site trick). */
  private fromOurPage(req: IncomingMessage): boolean {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    return type === 'application/x-www-form-urlencoded' && sameOrigin(req, this.config.publicUrl);
  }

  /** The login cookie is valid for this session and under LOGIN_MS old; past an hour it is renewed. */
  private signedIn(session: string, value: string | undefined, setCookies: string[], secure: boolean): boolean {
    const issued = this.keys.loginIssuedAt(session, value);
    const age = issued === null ? Infinity : this.now() - issued;
    if (!(age >= 0 && age < LOGIN_MS)) return false;
    if (age > LOGIN_RENEW_MS) setCookies.push(this.loginCookie(session, secure));
    return true;
  }

  private loginCookie(session: string, secure: boolean): string {
    return cookie(LOGIN, this.keys.login(session, this.now()), { maxAge: LOGIN_MS / 1000, secure });
  }

  private async page(req: IncomingMessage, res: ServerResponse, p: string, session: string, viewer: Viewer, headers: Record<string, string[]>): Promise<void> {
    // Taken only by the pages that show it: a live stream or the dashboard must not use it up.
    if (p === '/console') return sendPage(res, 200, this.pages.listPage({ ...viewer, ...(await this.reads.list()), flash: this.takeFlash(session) }), headers);
    if (p === '/console/dashboard') return sendPage(res, 200, this.pages.dashboardPage({ ...viewer, ...(await this.reads.dashboard()) }), headers);
    if (p === '/console/runbooks') return sendPage(res, 200, this.pages.runbookListPage({ ...viewer, ...this.reads.runbooks() }), headers);
    if (p === ROUTES.search) {
      const q = new URL(req.url ?? '', 'http://console.invalid').searchParams.get('q');
      return sendPage(res, 200, this.pages.searchPage({ ...viewer, ...(await this.reads.search(q)) }), headers);
    }
    const room = /^\/console\/rooms\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(p)?.[1];
    if (room) {
      const number = await this.reads.numberOf(room);
      if (number === null) return sendPage(res, 404, this.pages.errorPage(404, 'There is no such incident on the console.'), headers);
      return redirect(res, ROUTES.incident(number), headers);
    }
    const runbook = /^\/console\/runbooks\/([a-z0-9-]{1,64})$/.exec(p)?.[1];
    const preview = runbook ? this.reads.runbook(runbook) : null;
    if (preview && (preview.runbook || preview.problems.length > 0)) return sendPage(res, 200, this.pages.runbookPage({ ...viewer, ...preview }), headers);
    if (runbook) return sendPage(res, 404, this.pages.errorPage(404, `There is no runbook "${runbook}" in PLAYBOOKS_DIR.`), headers);
    const incident = /^\/console\/incidents\/(\d{1,12})(\/events)?$/.exec(p);
    if (incident) {
      const data = await this.reads.incident(Number(incident[1]));
      if (!data) return sendPage(res, 404, this.pages.errorPage(404, `There is no INC-${incident[1]} on the console.`), headers);
      if (incident[2])
        return this.events(req, res, data.snapshot.incident.id, Number(new URL(req.url ?? '', 'http://console.invalid').searchParams.get('v') ?? NaN));
      return sendPage(res, 200, this.pages.incidentPage({ ...viewer, ...data, flash: this.takeFlash(session) }), headers);
    }
    return sendPage(res, 404, this.pages.errorPage(404, 'No such page.'), headers);
  }

  /**
   * Server-sent events: `change` whenever the incident's stored state changed, from any surface.
   * `shown` is the version the page showed: a change between the page and the stream (or while
   * the stream was down) is announced at once, so no page stays behind.
   */
  private async events(req: IncomingMessage, res: ServerResponse, incidentId: string, shown: number): Promise<void> {
    this.streams.add(res);
    res.once('close', () => this.streams.delete(res));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const unsubscribe = await this.platform.changes.subscribe(incidentId, () => res.write('event: change\ndata: {}\n\n'));
    if (req.destroyed || res.writableEnded) return unsubscribe(); // gone while we started listening
    const now = await this.reads.version(incidentId);
    if (Number.isFinite(shown) && now !== null && now > shown) res.write('event: change\ndata: {}\n\n');
    // A comment every 20 s keeps proxies from closing an idle stream.
    const beat = setInterval(() => res.write(': beat\n\n'), 20_000);
    beat.unref();
    req.on('close', () => {
      clearInterval(beat);
      unsubscribe();
    });
  }

  private async command(session: string, viewer: Viewer, form: Record<string, string>): Promise<string> {
    const room = form.room && ROOM.test(form.room) ? form.room : null;
    const number = room ? await this.platform.ensureRoom(room.slice('console:'.length)) : null;
    const back = number !== null ? ROUTES.incident(number) : '/console';
    const text = (form.text ?? '').trim().replace(/^\/incident(\s+|$)/i, '');
    const req: Request = {
      userId: viewer.you.id,
      platform: this.platform,
      workspace: CONSOLE_WORKSPACE,
      room,
      replyTo: room ? { incidentId: room.slice('console:'.length) } : undefined,
      requestId: requestIdOf(form),
      // The browser's zone, which console.js puts in the form.
      readerTz: async () => form.tz ?? null,
    };
    try {
      const cmd = parseCommand(text, (word) => (word.startsWith('@') && viewer.people.some((person) => person.id === word.slice(1)) ? word.slice(1) : null));
      const atOnce = this.dispatcher.answerAtOnce(cmd);
      if (atOnce) return this.flash(session, atOnce, true, back);
      if (cmd.kind === 'declare') {
        const r = await this.dispatcher.declareNow(cmd, req, 5_000);
        // The page it lands on takes commands at once: its room is there before the redirect.
        if (r.snapshot) await this.platform.ensureRoom(r.snapshot.incident.id).catch(() => undefined);
        const where = r.snapshot ? ROUTES.incident(r.snapshot.incident.number) : back;
        return this.flash(session, r.reply ?? [], r.recorded === 'yes', where);
      }
      const r = await this.dispatcher.command(cmd, req);
      return this.flash(session, r.reply ?? ['Done.'], true, back);
    } catch (err) {
      return this.flash(session, this.errorText(err), false, back);
    }
  }

  private async click(session: string, viewer: Viewer, form: Record<string, string>): Promise<string> {
    const payload = decodeAction(form.payload);
    if (!payload) return this.flash(session, problemText({ code: 'stale_button' }), false, '/console');
    let back = '/console';
    try {
      const number = await this.platform.ensureRoom(payload.i);
      if (number !== null) back = ROUTES.incident(number);
      const req: Request = {
        userId: viewer.you.id,
        platform: this.platform,
        workspace: CONSOLE_WORKSPACE,
        room: consoleRoom(payload.i),
        requestId: requestIdOf(form),
      };
      // The header's resolve form: its checks and resolution come with the Resolve payload.
      const resolveForm = payload.a === 'resolve' ? readResolveFormFields(form) : null;
      // The follow-up's analysis form: its parts come with the Edit analysis payload.
      const analysisForm = payload.a === 'analysis' ? readAnalysisFormFields(form) : null;
      const r = resolveForm
        ? await this.dispatcher.submitResolve(payload.i, resolveForm, req)
        : analysisForm
          ? await this.dispatcher.submitAnalysis(payload.i, analysisForm, req)
          : await this.dispatcher.click(payload, req);
      return r.reply ? this.flash(session, r.reply, true, back) : back;
    } catch (err) {
      return this.flash(session, this.errorText(err), false, back);
    }
  }

  /**
   * "Declare as <runbook>" on an unrouted alert: declared on the console, led by the person it acts
   * as, then that incident's page. A second post (or a click on Slack or Teams first) finds the same one.
   */
  private async alertChoice(session: string, viewer: Viewer, form: Record<string, string>): Promise<string> {
    const choice = decodeAlertChoice(form.choice);
    if (!choice || !this.declareAlert) return this.flash(session, problemText({ code: 'stale_button' }), false, ROUTES.incidents);
    try {
      const { incident, created } = await this.declareAlert(choice, viewer.you.id, { workspace: CONSOLE_WORKSPACE });
      if (incident.platform !== this.platform.name) {
        const where = PLATFORM_NAMES[incident.platform] ?? incident.platform;
        return this.flash(session, alertDeclaredText(incident, created, null, [`its room is on ${where}`]), true, ROUTES.incidents);
      }
      // The page it lands on takes commands at once, as after a typed declare.
      await this.platform.ensureRoom(incident.id).catch(() => undefined);
      return this.flash(session, alertDeclaredText(incident, created, null, null), true, ROUTES.incident(incident.number));
    } catch (err) {
      return this.flash(session, this.errorText(err), false, ROUTES.incidents);
    }
  }

  private async login(req: IncomingMessage, res: ServerResponse, session: string, csrf: string, setCookies: string[], secure: boolean): Promise<void> {
    if (!this.config.token) return redirect(res, '/console');
    if (req.method !== 'POST') return sendPage(res, 200, this.pages.loginPage({ csrf }), { 'set-cookie': setCookies });
    const from = req.socket.remoteAddress ?? 'unknown';
    const wait = this.throttle.wait(from, this.now());
    if (wait > 0) {
      this.logger.warn({ platform: 'web', from, retryAfterS: Math.ceil(wait / 1000) }, 'refused a console sign-in: too many wrong tokens from this address');
      return sendPage(res, 429, this.pages.errorPage(429, `Too many wrong tokens from your address. Try again in ${Math.ceil(wait / 1000)} seconds.`), {
        'set-cookie': setCookies,
        'retry-after': String(Math.ceil(wait / 1000)),
      });
    }
    const form = await readForm(req);
    if (!form || !this.keys.checks(csrf, form.csrf))
      return sendPage(res, 403, this.pages.errorPage(403, 'Reload the sign-in page and try again.'), { 'set-cookie': setCookies });
    if (!this.keys.checks(this.config.token, form.token)) {
      const lock = this.throttle.failed(from, this.now());
      this.logger.warn({ platform: 'web', from, lockedForS: lock / 1000 }, 'a console sign-in gave a wrong token');
      return sendPage(res, 401, this.pages.loginPage({ csrf, error: 'That is not the console token.' }), { 'set-cookie': setCookies });
    }
    this.throttle.succeeded(from);
    // A new session at sign-in: a session id anyone saw before (a shared machine) opens nothing.
    const fresh = this.keys.newSession();
    return redirect(res, '/console', { 'set-cookie': [cookie(SESSION, fresh.cookie, { secure }), this.loginCookie(fresh.id, secure)] });
  }

  /** Signs out: the login cookie goes, and the session with it, so its CSRF token is worth nothing. */
  private logout(res: ServerResponse, secure: boolean): void {
    const fresh = this.keys.newSession();
    redirect(res, '/console/login', { 'set-cookie': [cookie(LOGIN, '', { maxAge: 0, secure }), cookie(SESSION, fresh.cookie, { secure })] });
  }

  private pickPerson(res: ServerResponse, form: Record<string, string>, req: IncomingMessage, setCookies: string[]): void {
    const person = this.config.people.find((p) => p.id === form.person);
    const referer = req.headers.referer ? new URL(req.headers.referer, 'http://console.invalid').pathname : '/console';
    const back = referer.startsWith('/console') ? referer : '/console';
    redirect(res, back, { 'set-cookie': person ? [...setCookies, cookie(PERSON, person.id, { maxAge: 30 * 86_400 })] : setCookies });
  }

  private asset(res: ServerResponse, name: string): void {
    const a = ASSETS[name];
    if (!a) return sendPage(res, 404, this.pages.errorPage(404, 'No such file.'));
    res.writeHead(200, { 'content-type': a.type, 'cache-control': 'max-age=300', 'x-content-type-options': 'nosniff' }).end(readFileSync(a.file));
  }

  private you(id: string | undefined) {
    return this.config.people.find((p) => p.id === id) ?? this.config.people[0]!;
  }

  private flash(session: string, text: Text, ok: boolean, to: string): string {
    const now = Date.now();
    for (const [k, f] of this.flashes) if (now - f.at > FLASH_MS) this.flashes.delete(k);
    this.flashes.set(session, { text, ok, at: now });
    return to;
  }

  private takeFlash(session: string): Flash | null {
    const f = this.flashes.get(session);
    this.flashes.delete(session);
    return f && Date.now() - f.at <= FLASH_MS ? { text: f.text, ok: f.ok } : null;
  }

  private errorText(err: unknown): Text {
    if (err instanceof UserError) return problemText(err.problem);
    const ref = randomUUID().slice(0, 8);
    this.logger.error({ platform: 'web', ref, err }, 'console request failed');
    return internalErrorText(ref, err instanceof NotWrittenError);
  }
}

/** The id a console form was rendered with (pages/layout.ts): the same form sent twice is one request. */
function requestIdOf(form: Record<string, string>): string | undefined {
  return form.request && /^[A-Za-z0-9-]{8,64}$/.test(form.request) ? `console:${form.request}` : undefined;
}
