import { createHash } from 'node:crypto';
import { z } from 'zod';

/** One alert as every source is read: what routing, dedupe and the timeline need. */
export interface IncomingAlert {
  source: 'alertmanager' | 'generic';
  fingerprint: string;
  status: 'firing' | 'resolved';
  title: string;
  labels: Record<string, string>;
  url: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
}

const labels = z.record(z.string().max(200), z.string().max(1_000));
const fingerprint = z.string().min(1).max(200);
const status = z.enum(['firing', 'resolved']);

// Alertmanager's webhook, version 4; Grafana's alerting webhook sends the same shape plus fields of
// its own (orgId, state, values …), which are ignored.
const alertmanagerAlert = z.object({
  status,
  labels,
  annotations: labels.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().max(2_000).optional(),
  fingerprint: fingerprint.optional(),
});

export const alertmanagerBody = z.object({
  version: z.string().optional(),
  groupKey: z.string().optional(),
  status: status.optional(),
  receiver: z.string().optional(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().max(2_000).optional(),
  alerts: z.array(alertmanagerAlert).min(1, 'alerts is empty').max(1_000),
});

export const genericBody = z.object({
  fingerprint,
  status,
  title: z.string().trim().min(1).max(300),
  severity: z.union([z.number().int().min(1).max(4), z.string().max(20)]).optional(),
  labels: labels.default({}),
  starts_at: z.iso.datetime({ offset: true }).optional(),
  url: z.url().max(2_000).optional(),
});

/** Alertmanager's zero time (0001-01-01) and anything unparsable mean "not said". */
function time(text: string | undefined): Date | null {
  if (!text) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1971 ? null : d;
}

const TITLE_MAX = 300;

export function fromAlertmanager(body: z.infer<typeof alertmanagerBody>): IncomingAlert[] {
  return body.alerts.map((a) => {
    const all = { ...body.commonLabels, ...a.labels };
    const title = a.annotations.summary ?? body.commonAnnotations.summary ?? all.alertname ?? 'Alert';
    return {
      source: 'alertmanager',
      // Alertmanager always sends one; a sender that does not gets the hash of the label set, as Alertmanager does.
      fingerprint: a.fingerprint ?? labelHash(all),
      status: a.status,
      title: title.trim().slice(0, TITLE_MAX) || 'Alert',
      labels: all,
      url: a.generatorURL || body.externalURL || null,
      startsAt: time(a.startsAt),
      endsAt: time(a.endsAt),
    };
  });
}

export function fromGeneric(body: z.infer<typeof genericBody>): IncomingAlert {
  const severity = body.severity !== undefined ? String(body.severity) : body.labels.severity;
  return {
    source: 'generic',
    fingerprint: body.fingerprint,
    status: body.status,
    title: body.title,
    labels: { ...body.labels, ...(severity !== undefined ? { severity } : {}) },
    url: body.url ?? null,
    startsAt: time(body.starts_at),
    endsAt: null,
  };
}

function labelHash(l: Record<string, string>): string {
  const sorted = Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join('\n');
  return createHash('sha256').update(sorted).digest('hex').slice(0, 16);
}
