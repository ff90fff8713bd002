/**
 * Keeps one bot process serving on one port: kills it with SIGKILL when told and starts the next
 * at once with the same environment, and restarts it too if it dies on its own (recorded as a
 * crash, with its last output). Every request is tagged with the generation it was sent to, so an
 * answer can be attributed to the process that gave it.
 */
import { freePort, startBot, type BotProcess } from '../test/support/bot-process';

export interface KillRecord {
  /** The generation that was killed. */
  generation: number;
  killAt: number;
  exitedAt: number;
  readyAt: number | null;
  /** First HTTP answer that counts as an ack, from a later generation. */
  firstAckAt: number | null;
  /** Every incident declared before killAt has its channel, header and checklist. */
  provisionedAt: number | null;
  samePort: boolean;
  /** The killed process's last output lines, for evidence. */
  lastOutput: string;
}

/**
 * A queued kill waits until the bot has served this long: two kill points close together would
 * otherwise kill the new process while it starts, which measures start-up, not crash recovery.
 */
const MIN_UPTIME_MS = 300;

export interface CrashRecord {
  generation: number;
  at: number;
  how: string;
  lastOutput: string;
}

export class BotSupervisor {
  generation = 0;
  readonly kills: KillRecord[] = [];
  readonly crashes: CrashRecord[] = [];
  readonly outputs: Array<{ generation: number; output: string }> = [];
  private bot: BotProcess | null = null;
  private upSince = 0;
  private port = 0;
  private upWaiters: Array<() => void> = [];
  private planned = false;
  private chain: Promise<void> = Promise.resolve();
  private stopping = false;
  /** Set when a bot could not be started again: the run cannot go on. */
  failed: Error | null = null;

  constructor(private readonly env: Record<string, string>) {}

  get up(): boolean {
    return this.bot !== null;
  }

  get eventsUrl(): string {
    return `http://127.0.0.1:${this.port}/slack/events`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    await this.launch();
  }

  /** Resolves once a bot is serving (at once if one is). */
  whenUp(): Promise<void> {
    if (this.bot || this.failed || this.stopping) return Promise.resolve();
    return new Promise((resolve) => this.upWaiters.push(resolve));
  }

  /** A request sent to `generation` was acknowledged at `at`. */
  noteAck(generation: number, at: number): void {
    for (const k of this.kills) if (k.firstAckAt === null && generation > k.generation && at >= k.killAt) k.firstAckAt = at;
  }

  /** SIGKILL now, restart at once; kills queue behind one another. */
  killAndRestart(): Promise<void> {
    return this.enqueue(() => this.killOnce());
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step).catch((err: Error) => {
      this.failed ??= err;
      // Waiters must not hang on a bot that will never come: they see `failed` and stop.
      this.upWaiters.splice(0).forEach((w) => w());
    });
    return this.chain;
  }

  /** Stops for good (SIGKILL: the run is over, nothing graceful is being measured). */
  async stop(): Promise<void> {
    this.stopping = true;
    const bot = this.bot;
    this.bot = null;
    if (bot) {
      await bot.kill('SIGKILL');
      this.outputs.push({ generation: this.generation, output: bot.output() });
    }
    // Wake anyone waiting; they see stopping and give up.
    this.upWaiters.splice(0).forEach((w) => w());
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** The current process's output, for a report when something never became ready. */
  output(): string {
    return this.bot?.output() ?? '';
  }

  private async killOnce(): Promise<void> {
    const wait = this.upSince + MIN_UPTIME_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const bot = this.bot;
    if (!bot || this.stopping) return;
    this.planned = true;
    this.bot = null;
    const killAt = Date.now();
    await bot.kill('SIGKILL');
    const record: KillRecord = {
      generation: this.generation,
      killAt,
      exitedAt: Date.now(),
      readyAt: null,
      firstAckAt: null,
      provisionedAt: null,
      samePort: true,
      lastOutput: bot.output(),
    };
    this.kills.push(record);
    this.outputs.push({ generation: this.generation, output: bot.output() });
    this.planned = false;
    const port = this.port;
    await this.launch();
    record.readyAt = Date.now();
    record.samePort = this.port === port;
  }

  private async launch(): Promise<void> {
    if (this.stopping) return;
    let bot: BotProcess;
    try {
      bot = await startBot({ env: this.env, role: 'all', port: this.port });
    } catch (err) {
      // The old port may linger for a moment; a new one still lets the load go on.
      process.stderr.write(`bot did not start on port ${this.port}, trying another: ${(err as Error).message.split('\n')[0]}\n`);
      this.port = await freePort();
      bot = await startBot({ env: this.env, role: 'all', port: this.port });
    }
    this.generation++;
    const generation = this.generation;
    this.bot = bot;
    this.upSince = Date.now();
    void bot.exited.then(({ code, signal }) => this.onExit(bot, generation, signal ?? String(code)));
    this.upWaiters.splice(0).forEach((w) => w());
  }

  /** An exit nobody asked for is a finding: record it, then keep the load going on a new process. */
  private onExit(bot: BotProcess, generation: number, how: string): void {
    if (this.planned || this.stopping || this.bot !== bot) return;
    this.bot = null;
    this.crashes.push({ generation, at: Date.now(), how, lastOutput: bot.output() });
    this.outputs.push({ generation, output: bot.output() });
    void this.enqueue(() => this.launch());
  }
}
