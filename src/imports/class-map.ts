import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/** Outside category → runbook class. */
export type ClassMap = ReadonlyMap<string, string>;

const CLASS = /^[a-z0-9][a-z0-9-]*$/;

/** The class map file is unusable; the message says what to fix. */
export class ClassMapError extends Error {}

/**
 * Reads `{ "outside category": "runbook-class" }` from YAML; JSON is YAML too, so either works.
 * Values must look like runbook classes (`pdf`, `queue`): a typo fails here rather than quietly
 * filing history under a class no runbook has.
 */
export async function loadClassMap(file: string): Promise<ClassMap> {
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ClassMapError(`class map ${file} is not YAML or JSON: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ClassMapError(`class map ${file} must be an object of "outside category": runbook-class`);
  }
  const map = new Map<string, string>();
  for (const [category, target] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof target !== 'string' || !CLASS.test(target)) {
      throw new ClassMapError(`class map ${file}: "${category}" must map to a runbook class such as pdf or queue (got ${JSON.stringify(target)})`);
    }
    map.set(category.trim(), target);
  }
  return map;
}

export function mapClass(map: ClassMap, category: string): string {
  return map.get(category) ?? category;
}
