import type { ImportSummary } from './run';

/** At most this many skipped lines are listed one by one; the counts per reason cover them all. */
const LISTED = 200;

export function formatSummary(s: ImportSummary): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const out = [
    `Imported ${n(s.imported)}, updated ${n(s.updated)}, unchanged ${n(s.unchanged)}, skipped ${n(s.skipped.length)} ` +
      `(${s.source}, ${s.file}, ${(s.ms / 1000).toFixed(1)} s).`,
  ];
  if (s.skipped.length === 0) return `${out[0]}\n`;
  const byReason = new Map<string, number>();
  for (const k of s.skipped) {
    const kind = k.reason.replace(/ ".*$/, '');
    byReason.set(kind, (byReason.get(kind) ?? 0) + 1);
  }
  out.push('Skipped, by reason:');
  for (const [reason, count] of [...byReason].sort((a, b) => b[1] - a[1])) out.push(`  ${n(count)}  ${reason}`);
  out.push('Skipped lines:');
  for (const k of s.skipped.slice(0, LISTED)) out.push(`  line ${k.line}: ${k.reason}`);
  if (s.skipped.length > LISTED) out.push(`  … and ${n(s.skipped.length - LISTED)} more`);
  return `${out.join('\n')}\n`;
}
