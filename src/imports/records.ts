import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { clipped } from './quote';
import { ImportFileError } from './types';

/**
 * No incident needs more than this in one record. Without a bound csv-parse holds a field whole, and
 * an 80 MB field (or an unclosed quote swallowing the rest of the file) took 723 MB to import.
 */
export const MAX_RECORD_BYTES = 64 * 1024;

export type CsvRecord = Record<string, string | undefined>;
export type RecordItem = { line: number; record: CsvRecord } | { line: number; skip: string };

/**
 * The records of a CSV stream, keyed by its header, with their line numbers. A malformed line
 * (wrong number of fields, a quote that does not close) becomes a skip and parsing goes on, so
 * one bad line costs only itself. `relax_quotes` keeps a stray quote inside a field from
 * swallowing the lines after it. Throws ImportFileError when a required column is missing.
 */
export async function* csvRecords(input: Readable, required: readonly string[]): AsyncGenerator<RecordItem> {
  const skipped: RecordItem[] = [];
  const lines = new LineCounter();
  let header: string[] | null = null;
  const parser = parse({
    bom: true,
    columns: (names: string[]) => (header = names.map((n) => n.trim())),
    info: true,
    max_record_size: MAX_RECORD_BYTES,
    raw: true,
    // Said rather than detected: until it has detected one, csv-parse 7.0.3 builds a Buffer for
    // every byte it reads, which makes it several times slower (and much slower under jest).
    record_delimiter: ['\r\n', '\n'],
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      // Skipping would not help: csv-parse goes on reading the oversized field. Stop, naming the line.
      if (err?.code === 'CSV_MAX_RECORD_SIZE') {
        const line = lines.firstLine(lineOf(err), raw ?? '');
        throw new ImportFileError(`line ${line}: a record longer than ${MAX_RECORD_BYTES / 1024} KB, the most one incident may take; is a quote left open?`);
      }
      skipped.push({ line: lines.firstLine(lineOf(err), raw ?? ''), skip: csvReason(err) });
    },
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);

  let checked = false;
  const check = () => {
    if (checked) return;
    checked = true;
    if (!header) throw new ImportFileError('the file is empty: no header line');
    const missing = required.filter((c) => !header!.includes(c));
    if (missing.length) throw new ImportFileError(`missing column(s) ${missing.join(', ')} in the header line`);
  };
  try {
    for await (const { info, raw, record } of parser as AsyncIterable<{ info: { lines: number }; raw: string; record: CsvRecord }>) {
      check();
      while (skipped.length) yield skipped.shift()!;
      yield { line: lines.firstLine(info.lines, raw), record };
    }
    check();
    while (skipped.length) yield skipped.shift()!;
  } finally {
    // A consumer that stops early (a bad header) must not leave the file open.
    input.unpipe(parser);
    input.destroy();
  }
}

/**
 * The line a record starts on. csv-parse reports the line it ends on, and counts a CRLF inside
 * a quoted field as two lines (csv-parse 7.0.3), which shifts every later record of a
 * spreadsheet's CRLF export; this takes both back out using the record's raw text.
 */
class LineCounter {
  private extra = 0;

  firstLine(reportedEnd: number, raw: string): number {
    const body = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    this.extra += count(body, '\r\n');
    return reportedEnd - this.extra - count(body, '\n');
  }
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

function lineOf(err: CsvError | undefined): number {
  const lines = (err as { lines?: unknown } | undefined)?.lines;
  return typeof lines === 'number' ? lines : 0;
}

function csvReason(err: CsvError | undefined): string {
  switch (err?.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'wrong number of fields';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quote is not closed';
    default:
      return `unreadable CSV line (${clipped(err?.message ?? 'unknown error')})`;
  }
}
