import { statSync } from 'node:fs';
import { checkRunbookFile, type FileCheck } from './file';

/**
 * Each file's check, kept until its mtime or size changes: the console's runbook preview asks on
 * every request, and re-parsing every runbook each time let page loads cost a full `runbooks check`.
 * A file rewritten within the same mtime tick and at the same size is missed until its next change.
 */
export class RunbookFileCache {
  private readonly entries = new Map<string, FileCheck>();
  private parsed = 0;

  /** How many times a file was actually read and parsed, for tests and curiosity. */
  get parses(): number {
    return this.parsed;
  }

  check(fullPath: string, name: string): FileCheck {
    const held = this.entries.get(fullPath);
    if (held?.stat) {
      try {
        const now = statSync(fullPath);
        if (now.mtimeMs === held.stat.mtimeMs && now.size === held.stat.size) return held;
      } catch {
        // Gone or unreadable: checking afresh says which.
      }
    }
    this.parsed++;
    const fresh = checkRunbookFile(fullPath, name);
    this.entries.set(fullPath, fresh);
    return fresh;
  }

  /** Forgets files no longer in the folder, so renames do not pile up. */
  keepOnly(fullPaths: ReadonlySet<string>): void {
    for (const key of this.entries.keys()) if (!fullPaths.has(key)) this.entries.delete(key);
  }
}
