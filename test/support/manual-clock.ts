import type { Clock } from '../../src/core/ports';

/** A clock the test moves by hand: every timestamp the bot records must come from it. */
export class ManualClock implements Clock {
  constructor(private t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
  set(iso: string): void {
    this.t = new Date(iso);
  }
}
