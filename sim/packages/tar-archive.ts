/**
 * A minimal POSIX ustar writer and reader for the simulator's plugin package fixtures. The tar
 * libraries in node_modules (tar-stream, tar-fs) are only transitive dependencies of
 * @kubernetes/client-node, so they may not be imported; the fixtures need regular files only.
 */

const BLOCK = 512;
const MAX_NAME = 100;

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

export class TarFormatError extends Error {}

function writeString(header: Buffer, value: string, offset: number, length: number): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new TarFormatError(`tar field too long: ${value}`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  writeString(header, `${value.toString(8).padStart(length - 1, '0')}\0`, offset, length);
}

function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum;
}

function headerFor(entry: TarEntry, mtimeSeconds: number): Buffer {
  if (Buffer.byteLength(entry.name) > MAX_NAME)
    throw new TarFormatError(`tar entry name too long: ${entry.name}`);
  const header = Buffer.alloc(BLOCK);
  writeString(header, entry.name, 0, 100);
  writeOctal(header, 0o644, 100, 8);
  writeOctal(header, 0, 108, 8);
  writeOctal(header, 0, 116, 8);
  writeOctal(header, entry.data.length, 124, 12);
  writeOctal(header, mtimeSeconds, 136, 12);
  header[156] = 0x30; // '0': regular file
  writeString(header, 'ustar\0', 257, 6);
  writeString(header, '00', 263, 2);
  writeString(header, 'root', 265, 32);
  writeString(header, 'root', 297, 32);
  writeString(header, `${checksum(header).toString(8).padStart(6, '0')}\0 `, 148, 8);
  return header;
}

/** Regular files only, fixed owner and mtime, so the same entries always give the same bytes. */
export function writeTar(entries: TarEntry[], mtimeSeconds = 0): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(headerFor(entry, mtimeSeconds), Buffer.from(entry.data));
    const padding = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function readString(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(block: Buffer, offset: number, length: number, field: string): number {
  const text = readString(block, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`tar header has a malformed ${field} field`);
  return Number.parseInt(text, 8);
}

function isZeroBlock(block: Buffer): boolean {
  return block.every((byte) => byte === 0);
}

/** Reads every regular file; throws TarFormatError on a truncated archive or a bad header checksum. */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (isZeroBlock(block)) return entries;
    if (readOctal(block, 148, 8, 'checksum') !== checksum(block)) {
      throw new TarFormatError(`tar header checksum mismatch at byte ${offset}`);
    }
    const size = readOctal(block, 124, 12, 'size');
    const prefix = readString(block, 345, 155);
    const name = readString(block, 0, 100);
    const dataStart = offset + BLOCK;
    if (dataStart + size > archive.length) throw new TarFormatError(`tar entry ${name} is truncated`);
    const type = String.fromCharCode(block[156] ?? 0);
    if (type === '0' || type === '\0') {
      entries.push({
        name: prefix ? `${prefix}/${name}` : name,
        data: archive.subarray(dataStart, dataStart + size),
      });
    }
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new TarFormatError('tar archive ends without its end-of-archive marker');
}
