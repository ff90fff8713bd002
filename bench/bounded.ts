import path from 'node:path';
import { startChild, type Child } from './ipc';

/**
 * A bench section's child processes under one deadline: past it every child is killed, which
 * fails every call in flight, and `alive()` makes the section's polls give up. Bounded no matter
 * what hangs.
 */
export class BoundedChildren {
  readonly children: Child[] = [];
  private timedOut = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly deadlineS: number,
    /** The setting that sets the deadline, to name in the error. */
    private readonly setting: string,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.children.forEach((c) => c.kill());
    }, deadlineS * 1000);
  }

  /** Throws once the deadline has passed. */
  alive(): void {
    if (this.timedOut) throw new Error(this.why());
  }

  /** Why the section stopped: the deadline, or the error it met. */
  failure(err: unknown): string {
    return this.timedOut ? this.why() : ((err as Error).stack ?? String(err));
  }

  /** Starts `script` (beside this file) as a child the deadline covers. */
  async spawn<R>(name: string, script: string, env?: Record<string, string>) {
    const s = await startChild<R>(name, path.resolve(__dirname, script), env);
    this.children.push(s.child);
    return s;
  }

  /** Clears the deadline; stopping the children (in the order they need) is the caller's. */
  done(): void {
    clearTimeout(this.timer);
  }

  private why(): string {
    return `ran past ${this.setting}=${this.deadlineS} s`;
  }
}
