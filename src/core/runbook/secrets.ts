/**
 * Runbooks live in git and are shown in chat: a credential written into one is leaked twice.
 * These find the shapes credentials usually have; the fix is always the same: put it in the
 * environment (BRAIFLOW_STANDARD_USER_TOKEN, BRAIFLOW_S3_* …), never in YAML.
 */
const SECRET_SHAPES: Array<[RegExp, string]> = [
  [/\bBearer\s+[A-Za-z0-9._~+/-]{8,}/, 'a bearer token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{6,}/, 'a Slack token'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./, 'a JWT'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  // `password: hunter2-9x` ends the line or the item; `password: 1Password vault "…"` is a pointer, not a secret.
  [/\b(?:password|passwd|secret|api[_-]?key|token)\s*[=:]\s*["']?(?=[A-Za-z0-9_\-+/=.]*\d)[A-Za-z0-9_\-+/=.]{8,}["']?\s*(?:$|[,;\n])/im, 'a password or key'],
];

const SECRET_KEYS = /^(?:authorization|token|password|passwd|secret|api[_-]?key|access[_-]?key(?:[_-]?id)?|secret[_-]?access[_-]?key|credentials?)$/i;

/** Every place in a parsed runbook that holds what looks like a credential: [dotted path, what it looks like]. */
export function findSecrets(value: unknown, path: string[] = []): Array<[string, string]> {
  if (typeof value === 'string') {
    const hit = SECRET_SHAPES.find(([re]) => re.test(value));
    return hit ? [[path.join('.'), hit[1]]] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findSecrets(v, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      SECRET_KEYS.test(k) && v !== null && v !== '' ? [[[...path, k].join('.'), `a "${k}" field`] as [string, string]] : findSecrets(v, [...path, k]),
    );
  }
  return [];
}
