/** The soak's handle on the fake Slack process (test/support/fake-slack-process.ts). */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ButtonsEvent, FakeSlackReady, FakeSlackSummary, ReplyEvent } from '../test/support/fake-slack-process';

const SCRIPT = path.resolve(__dirname, '../test/support/fake-slack-process.ts');

export class FakeSlackProcess {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<void>;
  onButtons: (e: ButtonsEvent) => void = () => undefined;
  onReply: (e: ReplyEvent) => void = () => undefined;

  private constructor(
    private readonly proc: ChildProcess,
    readonly ready: FakeSlackReady,
  ) {
    proc.on('message', (m: { id?: number; ok?: boolean; result?: unknown; error?: string; event?: string; data?: any }) => {
      if (m.event === 'buttons') return this.onButtons(m.data);
      if (m.event === 'reply') return this.onReply(m.data);
      const p = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id!);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`fake Slack: ${m.error}`));
    });
    this.exited = new Promise((resolve) =>
      proc.once('exit', () => {
        for (const p of this.pending.values()) p.reject(new Error('fake Slack process exited'));
        this.pending.clear();
        resolve();
      }),
    );
  }

  static async start(delayMs: number, timeoutMs = 30_000): Promise<FakeSlackProcess> {
    const proc = fork(SCRIPT, [], {
      env: { ...process.env, FAKE_SLACK_DELAY_MS: String(delayMs) },
      // execArgv replaces the parent's loader flags, so a forked .ts file needs tsx's hook again.
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // Killed with us whatever the exit path; the child also exits when its IPC channel closes.
    const onExit = () => proc.kill('SIGKILL');
    process.on('exit', onExit);
    proc.once('exit', () => process.off('exit', onExit));
    const ready = await new Promise<FakeSlackReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake Slack did not start within ${timeoutMs} ms`)), timeoutMs);
      proc.on('message', (m: { event?: string; data?: any }) => {
        if (m.event === 'ready') {
          clearTimeout(timer);
          resolve(m.data);
        } else if (m.event === 'failed') {
          clearTimeout(timer);
          reject(new Error(`fake Slack failed to start: ${m.data}`));
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fake Slack exited (${code}) before it was ready`));
      });
    }).catch((err: Error) => {
      proc.kill('SIGKILL');
      throw err;
    });
    return new FakeSlackProcess(proc, ready);
  }

  summary(): Promise<FakeSlackSummary> {
    return this.call<FakeSlackSummary>('summary');
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const force = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
    await this.call('stop').catch(() => undefined);
    await this.exited;
    clearTimeout(force);
  }

  private call<T>(cmd: string, timeoutMs = 30_000): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`fake Slack: ${cmd} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      if (!this.proc.connected) return reject(new Error('fake Slack process is not running'));
      this.proc.send({ id, cmd });
    });
  }
}
