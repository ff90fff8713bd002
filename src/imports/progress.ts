/** A progress line at most every `everyMs`, and at every `everyLines` lines read, on the given writer. */
export class Progress {
  private lines = 0;
  private written = 0;
  private lastAt: number;
  private readonly startedAt: number;

  constructor(
    private readonly label: string,
    private readonly out: (text: string) => void,
    private readonly everyLines = 20_000,
    private readonly everyMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = this.lastAt = now();
  }

  line(line: number): void {
    this.lines = line;
    if (line % this.everyLines === 0) this.print();
    else this.maybe();
  }

  wrote(rows: number): void {
    this.written += rows;
    this.maybe();
  }

  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  private maybe(): void {
    if (this.now() - this.lastAt >= this.everyMs) this.print();
  }

  private print(): void {
    this.lastAt = this.now();
    const s = (this.elapsedMs() / 1000).toFixed(1);
    this.out(`${this.label}: ${this.lines.toLocaleString('en-US')} lines read, ${this.written.toLocaleString('en-US')} incidents written (${s} s)\n`);
  }
}
