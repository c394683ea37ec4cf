/**
 * A secret kept in a file of the data dir, mode 600: read when there, else generated and written
 * exclusively (`wx`), so two processes starting on one data dir end up with the same secret.
 */
import { readFile, writeFile } from 'node:fs/promises';

export async function keptSecret(file: string, generate: () => string): Promise<string> {
  const read = async () => (await readFile(file, 'utf8').catch(() => '')).trim();
  const kept = await read();
  if (kept) return kept;
  try {
    await writeFile(file, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return read();
}
