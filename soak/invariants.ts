/**
 * The crash-safety invariants, each checked against what Postgres and the fake Slack hold after
 * the run, and each reported with a count and the first few offenders as evidence.
 */
import type { Pool } from 'pg';
import type { ChannelSummary, FakeSlackSummary } from '../test/support/fake-slack-process';
import type { KillRecord } from './bot-supervisor';
import type { LoadGenerator } from './load';
import type { ClickOp, StepState } from './records';
import { readIncidents, type IncidentRow } from './world';

export interface Check {
  name: string;
  pass: boolean;
  count: string;
  /** Offenders and context, worst first; the report prints the first few. */
  details: string[];
}

interface StepEvent {
  incident_id: string;
  kind: string;
  actor: string;
  step: string;
  at: Date;
}

export interface Evidence {
  incidents: IncidentRow[];
  summary: FakeSlackSummary;
  stepEvents: StepEvent[];
  /** Per incident: count of each timeline kind. */
  kinds: Map<string, Map<string, number>>;
  duplicateKeys: Array<{ idempotency_key: string; n: number }>;
  checklistPages: Map<string, number>;
  stepStates: Map<string, StepState>;
  outboxPending: number;
}

export async function gatherEvidence(pool: Pool, summary: FakeSlackSummary): Promise<Evidence> {
  const incidents = await readIncidents(pool);
  const stepEvents = (
    await pool.query(
      `SELECT incident_id, kind, actor, data->>'step' AS step, at FROM incident_events
       WHERE kind IN ('step.completed', 'step.reopened') ORDER BY at, id`,
    )
  ).rows as StepEvent[];
  const kinds = new Map<string, Map<string, number>>();
  for (const r of (await pool.query(`SELECT incident_id, kind, count(*)::int AS n FROM incident_events GROUP BY 1, 2`)).rows) {
    const m = kinds.get(r.incident_id) ?? new Map<string, number>();
    m.set(r.kind, r.n);
    kinds.set(r.incident_id, m);
  }
  const duplicateKeys = (await pool.query(`SELECT idempotency_key, count(*)::int AS n FROM incident_events GROUP BY 1 HAVING count(*) > 1`))
    .rows as Evidence['duplicateKeys'];
  const checklistPages = new Map<string, number>(
    (await pool.query(`SELECT incident_id, count(*)::int AS n FROM chat_refs WHERE kind = 'checklist' GROUP BY 1`)).rows.map((r) => [r.incident_id, r.n]),
  );
  const stepStates = new Map<string, StepState>(
    (await pool.query(`SELECT incident_id, step_id, state FROM checklist_steps`)).rows.map((r) => [`${r.incident_id}/${r.step_id}`, r.state]),
  );
  const outboxPending = (await pool.query(`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`)).rows[0].n as number;
  return { incidents, summary, stepEvents, kinds, duplicateKeys, checklistPages, stepStates, outboxPending };
}

// Channel names are inc-<yyyymmdd>-<runbook>-<n>[-<attempt>]; the soak only declares pdf-404.
const CHANNEL_NAME = /^inc-\d{8}-pdf-404-(\d+)(?:-(\d+))?$/;

function channelsOf(incidents: IncidentRow[], summary: FakeSlackSummary): { byNumber: Map<number, ChannelSummary[]>; orphans: ChannelSummary[] } {
  const byNumber = new Map<number, ChannelSummary[]>(incidents.map((i) => [i.number, []]));
  const orphans: ChannelSummary[] = [];
  for (const ch of summary.channels) {
    // A channel belongs to INC-n by its topic ("INC-n · runbook …") or, if setup died before the
    // topic was set, by its name: a channel left without a topic is still a second channel.
    const byTopic = /^INC-(\d+) ·/.exec(ch.topic)?.[1];
    const byName = CHANNEL_NAME.exec(ch.name)?.[1];
    const n = Number(byTopic ?? byName);
    const list = byNumber.get(n);
    if (list) list.push(ch);
    else orphans.push(ch);
  }
  return { byNumber, orphans };
}

/**
 * The kill nearest to something Slack stored at `at`, to tie a broken invariant to it: "gen3 killed
 * 41 ms later", or "landed 5 ms after gen4 was killed" — a call the bot sent just before it died
 * still reaches Slack (and, with SOAK_SLACK_DELAY_MS, lands after the kill).
 */
const IN_FLIGHT_MS = 500;
function killNote(kills: KillRecord[], at: number): string {
  const before = [...kills].reverse().find((x) => x.killAt < at);
  if (before && at - before.killAt <= IN_FLIGHT_MS) return `landed ${at - before.killAt} ms after gen${before.generation} was killed (sent before, in flight)`;
  const after = kills.find((x) => x.killAt >= at);
  return after ? `gen${after.generation} killed ${after.killAt - at} ms later` : 'no kill after it';
}

const KIND_OF: Record<StepState, string> = { done: 'step.completed', open: 'step.reopened' };
const STATE_OF: Record<string, StepState> = { 'step.completed': 'done', 'step.reopened': 'open' };

export function checkInvariants(ev: Evidence, load: LoadGenerator, kills: KillRecord[]): Check[] {
  const checks: Check[] = [];
  const byNumber = new Map(ev.incidents.map((i) => [i.number, i]));
  const byTitle = new Map<string, IncidentRow[]>();
  for (const i of ev.incidents) byTitle.set(i.title, [...(byTitle.get(i.title) ?? []), i]);
  const declareOf = new Map(load.declares.map((d) => [d.title, d]));
  const attemptsText = (title: string) => {
    const d = declareOf.get(title);
    if (!d) return 'not sent by this run';
    return d.attempts.map((a) => `gen${a.generation}:${a.status ?? a.failure}`).join(' → ') + ` ⇒ ${d.outcome}`;
  };

  // 1. Acknowledged as recorded ⇒ in Postgres, under the number the ack named.
  {
    const acked = load.declares.filter((d) => d.outcome === 'recorded' || d.outcome === 'replayed');
    const missing = acked.filter((d) => byNumber.get(d.number!)?.title !== d.title);
    checks.push({
      name: 'declares acknowledged as recorded exist in Postgres',
      pass: missing.length === 0,
      count: `${acked.length - missing.length}/${acked.length} found`,
      details: missing.map((d) => `"${d.title}" acked as INC-${d.number}; Postgres has ${byNumber.get(d.number!)?.title ?? 'no such number'}`),
    });
  }

  // 2. Acknowledged as NOT recorded ⇒ absent. (Unconfirmed may go either way; only counted.)
  {
    const notRecorded = load.declares.filter((d) => d.outcome === 'not-recorded');
    const present = notRecorded.filter((d) => byTitle.has(d.title));
    const unconfirmed = load.declares.filter((d) => d.outcome === 'unconfirmed');
    const never = load.declares.filter((d) => d.outcome === 'never-acknowledged');
    checks.push({
      name: 'declares acknowledged as NOT recorded do not exist',
      pass: present.length === 0,
      count: `${present.length} of ${notRecorded.length} exist`,
      details: [
        ...present.map((d) => `"${d.title}" acked NOT recorded, yet Postgres has INC-${byTitle.get(d.title)![0]!.number}`),
        `(info) unconfirmed acks: ${unconfirmed.length}, of which in Postgres: ${unconfirmed.filter((d) => byTitle.has(d.title)).length}`,
        `(info) never acknowledged: ${never.length}, of which in Postgres: ${never.filter((d) => byTitle.has(d.title)).length}`,
      ],
    });
  }

  // 3. One request, one incident: every retry of a declare carries its trigger_id.
  {
    const dups = [...byTitle].filter(([, list]) => list.length > 1);
    checks.push({
      name: 'no duplicated declares (incidents sharing a request)',
      pass: dups.length === 0,
      count: `${dups.length} requests made ${dups.reduce((n, [, l]) => n + l.length - 1, 0)} extra incidents`,
      details: dups.map(([title, list]) => `"${title}" → ${list.map((i) => `INC-${i.number}`).join(', ')}; attempts ${attemptsText(title)}`),
    });
  }

  const { byNumber: channelsByNumber, orphans } = channelsOf(ev.incidents, ev.summary);
  // 4. Exactly one channel per incident, and the incident points at it.
  {
    const none: string[] = [];
    const several: string[] = [];
    const wrong: string[] = [];
    for (const i of ev.incidents) {
      const list = channelsByNumber.get(i.number) ?? [];
      const describe = list
        .map((c) => `${c.id} ${c.name} topic:${c.topic ? 'set' : 'none'} msgs:${c.messages.length} created (${killNote(kills, c.createdAt)})`)
        .join('; ');
      if (list.length === 0) none.push(`INC-${i.number} has no channel (channel_id ${i.channel_id ?? 'null'})`);
      else if (list.length > 1) several.push(`INC-${i.number} has ${list.length} channels: ${describe}; channel_id ${i.channel_id}`);
      if (list.length >= 1 && !list.some((c) => c.id === i.channel_id))
        wrong.push(`INC-${i.number} channel_id ${i.channel_id ?? 'null'} is none of: ${describe}`);
    }
    const bad = new Set([...none, ...several, ...wrong].map((s) => s.split(' ')[0])).size;
    checks.push({
      name: 'one channel per incident, and channel_id points at it',
      pass: bad === 0 && orphans.length === 0,
      count: `${ev.incidents.length - bad}/${ev.incidents.length} ok; ${none.length} without, ${several.length} with several, ${wrong.length} pointing elsewhere; ${orphans.length} channels of no incident`,
      details: [...several, ...wrong, ...none, ...orphans.map((c) => `channel ${c.id} ${c.name} belongs to no incident`)],
    });
  }

  const channels = new Map(ev.summary.channels.map((c) => [c.id, c]));
  // 5. In the incident's channel: one header message, pinned once.
  {
    const bad: string[] = [];
    let checked = 0;
    for (const i of ev.incidents) {
      const ch = i.channel_id ? channels.get(i.channel_id) : undefined;
      if (!ch) continue;
      checked++;
      const headers = ch.messages.filter((m) => m.header);
      if (ch.pins.length !== 1 || headers.length !== 1) {
        const pinned = ch.pins.map((ts) => (headers.some((h) => h.ts === ts) ? `${ts}(header)` : ts)).join(',');
        const posted = headers.map((h) => `header posted, ${killNote(kills, h.postedAt)}`).join('; ');
        bad.push(`INC-${i.number} in ${ch.id}: ${headers.length} header messages, ${ch.pins.length} pins [${pinned}]; ${posted}`);
      }
    }
    checks.push({
      name: 'one header message per incident channel, pinned once',
      pass: bad.length === 0,
      count: `${checked - bad.length}/${checked} channels ok`,
      details: bad,
    });
  }

  // 5b. Buttons must not be live before the declarer can use them: after a crash in setup, the
  // checklist may be rendered into the channel before the declarer is invited to it.
  {
    const bad: string[] = [];
    let checked = 0;
    for (const i of ev.incidents) {
      const ch = i.channel_id ? channels.get(i.channel_id) : undefined;
      if (!ch?.membersWhenButtonsShown) continue;
      checked++;
      if (!ch.membersWhenButtonsShown.includes(i.declared_by)) {
        const invited = ch.invitedAt[i.declared_by];
        bad.push(
          `INC-${i.number} in ${ch.id}: checklist shown while the channel held ${ch.membersWhenButtonsShown.join(',')}; ` +
            `declarer ${i.declared_by} ${invited ? `invited ${invited - ch.buttonsShownAt!} ms later` : 'never invited'}; channel created, ${killNote(kills, ch.createdAt)}`,
        );
      }
    }
    checks.push({
      name: 'declarer invited before the checklist buttons appear',
      pass: bad.length === 0,
      count: `${checked - bad.length}/${checked} channels ok`,
      details: bad,
    });
  }

  // 6. Checklist messages: as many as the pages recorded in chat_refs, no more.
  {
    const bad: string[] = [];
    let checked = 0;
    for (const i of ev.incidents) {
      const ch = i.channel_id ? channels.get(i.channel_id) : undefined;
      if (!ch) continue;
      checked++;
      const posted = ch.messages.filter((m) => m.checklist).length;
      const pages = ev.checklistPages.get(i.id) ?? 0;
      if (posted !== pages || pages === 0) {
        const when = ch.messages.filter((m) => m.checklist).map((m) => killNote(kills, m.postedAt));
        bad.push(`INC-${i.number} in ${ch.id}: ${posted} checklist messages, ${pages} pages in chat_refs; posted: ${when.join('; ') || '–'}`);
      }
    }
    checks.push({
      name: 'checklist messages not duplicated (= pages in chat_refs)',
      pass: bad.length === 0,
      count: `${checked - bad.length}/${checked} channels ok`,
      details: bad,
    });
  }

  checks.push(...clickChecks(ev, load, kills));

  // 9. The timeline's idempotency keys are unique (a unique index promises it; check anyway).
  checks.push({
    name: 'timeline idempotency keys unique',
    pass: ev.duplicateKeys.length === 0,
    count: `${ev.duplicateKeys.length} duplicated keys`,
    details: ev.duplicateKeys.map((k) => `${k.idempotency_key} ×${k.n}`),
  });

  // 10. Once-per-incident events happen once (declared exactly once).
  {
    const bad: string[] = [];
    for (const i of ev.incidents) {
      const k = ev.kinds.get(i.id) ?? new Map<string, number>();
      const declared = k.get('incident.declared') ?? 0;
      if (declared !== 1) bad.push(`INC-${i.number}: incident.declared ×${declared}`);
      for (const kind of ['incident.acknowledged', 'incident.channel_opened']) {
        if ((k.get(kind) ?? 0) > 1) bad.push(`INC-${i.number}: ${kind} ×${k.get(kind)}`);
      }
    }
    checks.push({
      name: 'per incident: one incident.declared, at most one acknowledged / channel_opened',
      pass: bad.length === 0,
      count: `${bad.length} violations over ${ev.incidents.length} incidents`,
      details: bad,
    });
  }
  return checks;
}

/**
 * 7. Every acknowledged click is recorded: its step event lies between its first send and the next
 * click on that step (clicks on a step are serialized), or the step was already in the state it
 * asked for (state read from the timeline before the click). 8. Each step ends in the state its
 * last acknowledged click asked for.
 */
function clickChecks(ev: Evidence, load: LoadGenerator, kills: KillRecord[]): Check[] {
  // How long before its process was killed a click was acknowledged: the evidence for whether a
  // loss is the kill's doing (acked, then killed before the write) or something else.
  const beforeKill = (c: ClickOp): number | null => {
    const gen = c.attempts[c.attempts.length - 1]!.generation;
    const k = kills.find((x) => x.generation === gen);
    return k ? k.killAt - c.ackAt! : null;
  };
  const keptBeforeKill: number[] = [];
  const lostBeforeKill: number[] = [];
  // How far the write trails the ack: the size of the window a kill has to lose acked clicks.
  const ackToWrite: number[] = [];
  const eventsByStep = new Map<string, StepEvent[]>();
  for (const e of ev.stepEvents) {
    const key = `${e.incident_id}/${e.step}`;
    eventsByStep.set(key, [...(eventsByStep.get(key) ?? []), e]);
  }
  const clicksByStep = new Map<string, ClickOp[]>();
  for (const c of load.clicks) {
    const key = `${c.incidentId}/${c.stepId}`;
    clicksByStep.set(key, [...(clicksByStep.get(key) ?? []), c]);
  }
  let acked = 0;
  let recorded = 0;
  let already = 0;
  let unackedButRecorded = 0;
  const lost: string[] = [];
  const wrongFinal: string[] = [];
  let stepsChecked = 0;
  for (const [key, clicks] of clicksByStep) {
    clicks.sort((a, b) => a.firstSentAt - b.firstSentAt);
    const events = eventsByStep.get(key) ?? [];
    clicks.forEach((c, idx) => {
      const from = c.firstSentAt - 1; // the bot stamps whole ms
      const until = clicks[idx + 1]?.firstSentAt ?? Infinity;
      const inWindow = events.filter((e) => e.at.getTime() >= from && e.at.getTime() < until);
      const match = inWindow.find((e) => e.kind === KIND_OF[c.to] && e.actor === c.user);
      if (!c.acked) {
        if (match) unackedButRecorded++;
        return;
      }
      acked++;
      const ms = beforeKill(c);
      if (match) {
        if (ms !== null) keptBeforeKill.push(ms);
        ackToWrite.push(match.at.getTime() - c.ackAt!);
        return void recorded++;
      }
      const before = events.filter((e) => e.at.getTime() < from).pop();
      const stateBefore: StepState = before ? STATE_OF[before.kind]! : 'open';
      if (stateBefore === c.to) return void already++;
      if (ms !== null) lostBeforeKill.push(ms);
      const gen = c.attempts[c.attempts.length - 1]!.generation;
      const tries = c.attempts.map((a) => `gen${a.generation}:${a.status ?? a.failure}`).join(' → ');
      lost.push(
        `INC-${c.incidentNumber} step ${c.stepId} → ${c.to} by ${c.user} (action_ts ${c.actionTs}; ${tries}; ` +
          (ms === null ? `acked by gen${gen}, which was never killed)` : `acked ${ms} ms before gen${gen} was killed)`) +
          (c.replies.length ? `; replied: ${c.replies.map((r) => r.slice(0, 120)).join(' | ')}` : '; no reply') +
          (inWindow.length ? `; window had ${inWindow.map((e) => `${e.kind} by ${e.actor}`).join(', ')}` : '; no event in window'),
      );
    });
    const actual = ev.stepStates.get(key);
    const last = clicks[clicks.length - 1]!;
    const lastAcked = [...clicks].reverse().find((c) => c.acked);
    if (!lastAcked) continue;
    stepsChecked++;
    // A last click that was never acknowledged may or may not have landed: either state is honest.
    const allowed = new Set<StepState>(last.acked ? [last.to] : [last.to, lastAcked.to]);
    if (!actual || !allowed.has(actual)) {
      wrongFinal.push(
        `INC-${last.incidentNumber} step ${last.stepId}: state ${actual ?? 'missing'}, last acknowledged click asked ${lastAcked.to} (${clicks.length} clicks: ${clicks.map((c) => `${c.to}${c.acked ? '' : '?'}`).join(',')})`,
      );
    }
  }
  const lagText = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return s.length ? `median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${s[s.length - 1]} ms (negative: written before the ack arrived)` : 'none';
  };
  return [
    {
      name: 'every acknowledged click recorded (or its step already in that state)',
      pass: lost.length === 0,
      count: `${recorded + already}/${acked} (${recorded} recorded, ${already} already in that state, ${lost.length} lost); ${unackedButRecorded} unacknowledged clicks recorded anyway`,
      details: [
        `(info) recorded clicks: event time − ack time ${lagText(ackToWrite)}`,
        ...(lost.length
          ? [
              `(info) lost: ${lostBeforeKill.length} acked by a process later killed, at most ${Math.max(...lostBeforeKill, 0)} ms before the kill; ` +
                `${lost.length - lostBeforeKill.length} by a process never killed. Recorded clicks of killed processes were acked at least ` +
                `${keptBeforeKill.length ? Math.min(...keptBeforeKill) : '–'} ms before the kill.`,
            ]
          : []),
        ...lost,
      ],
    },
    {
      name: 'final step state = state asked by the last acknowledged click',
      pass: wrongFinal.length === 0,
      count: `${stepsChecked - wrongFinal.length}/${stepsChecked} steps`,
      details: wrongFinal,
    },
  ];
}
