import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json';
import { decodeAction, type ActionPayload } from '../../src/core/text/actions';

/** Every Action.Execute in a card (ShowCard confirmations included), with the payload it carries. */
export function cardActions(card: unknown): Array<{ title: string; verb: string; data: Record<string, unknown>; payload: ActionPayload | null }> {
  const out: Array<{ title: string; verb: string; data: Record<string, unknown>; payload: ActionPayload | null }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, any>;
    if (n.type === 'Action.Execute') out.push({ title: n.title, verb: n.verb, data: n.data, payload: decodeAction(n.data?.incidentBot) });
    for (const [k, v] of Object.entries(n)) if (k !== 'fallback') walk(v);
  };
  walk(card);
  return out;
}

/** All the text a person reads on a card, in order. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, any>;
    if ((n.type === 'TextRun' || n.type === 'TextBlock') && typeof n.text === 'string') parts.push(n.text);
    for (const v of Object.values(n)) walk(v);
  };
  walk(card);
  return parts.join(' ');
}

let validator: ValidateFunction | null = null;

/** The Adaptive Cards 1.5 schema (test/fixtures/adaptive-cards), compiled once. */
function adaptiveCardValidator(): ValidateFunction {
  if (validator) return validator;
  // The schema is draft-06; strict: false because it carries non-standard keywords (version, features).
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft6);
  // ajv-formats is not installed; these are the only formats the schema names.
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S*$/i);
  ajv.addFormat('uri-reference', /^\S*$/);
  // The file names itself with draft-04's `id`, which Ajv 8 refuses as a keyword: same value, as `$id`.
  const file = path.resolve(__dirname, '../fixtures/adaptive-cards/adaptive-card-1.5.0.schema.json');
  const { id, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  validator = ajv.compile({ $id: id as string, ...schema });
  return validator;
}

/**
 * Schema errors of a card, or [] when it is valid. `msteams` (Teams' own full-width setting) is
 * unknown to the generic schema, whose additionalProperties refuses it: it is checked apart.
 */
export function cardSchemaProblems(card: unknown): string[] {
  const { msteams, ...rest } = card as Record<string, unknown>;
  const problems: string[] = [];
  if (msteams !== undefined && JSON.stringify(msteams) !== JSON.stringify({ width: 'Full' })) problems.push(`/msteams is ${JSON.stringify(msteams)}`);
  const validate = adaptiveCardValidator();
  if (!validate(rest)) problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));
  return problems;
}
