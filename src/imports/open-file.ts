import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * A stream of the file's text, gunzipped when it is gzip. The magic bytes decide, so a renamed
 * file still works; the `.gz` extension is only a fallback for a file too short to tell.
 * Opening (not reading) happens here, so a missing or unreadable file fails before any import.
 */
export async function openImportFile(file: string): Promise<Readable> {
  const handle = await open(file, 'r');
  let gzip: boolean;
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    gzip = bytesRead === 2 ? head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1] : file.endsWith('.gz');
  } finally {
    await handle.close();
  }
  const raw = createReadStream(file);
  if (!gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}
