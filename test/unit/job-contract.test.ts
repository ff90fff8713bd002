import path from 'node:path';
import ts from 'typescript';
import { JOB_KIND_NAMES, JOB_PAYLOADS, type NewJob } from '../../src/core/jobs';
import { JOB_KINDS, QUEUE_NAMES, QUEUE_OF, queueOf } from '../../src/jobs/kinds';

/**
 * The job contract, end to end: the core names a job by its kind, the kind names its payload,
 * and the worker parses that payload on the queue the kind runs on.
 */
const at = new Date(0);
const incidentId = '00000000-0000-4000-8000-000000000001';

// What the core writes compiles only when the kind exists and the payload fits it.
export const contract: NewJob[] = [
  { kind: 'chat.render', payload: { incidentId, platform: 'slack' }, dedupeKey: 'k1', runAt: at },
  { kind: 'chat.provision', payload: { incidentId, platform: 'slack' }, dedupeKey: 'k2', runAt: at },
  { kind: 'escalation.due', payload: { incidentId, level: 2 }, dedupeKey: 'k3', runAt: at },
  // @ts-expect-error a misspelt kind
  { kind: 'chat.rendr', payload: { incidentId, platform: 'slack' }, dedupeKey: 'k4', runAt: at },
  // @ts-expect-error a payload of another kind: escalation.due carries a level, not a platform
  { kind: 'escalation.due', payload: { incidentId, platform: 'slack' }, dedupeKey: 'k5', runAt: at },
  // @ts-expect-error a field of the wrong type
  { kind: 'webhook.call', payload: { incidentId, webhook: 'pd', action: 'page', level: 1 }, dedupeKey: 'k6', runAt: at },
];

describe('the job contract', () => {
  it('compiles: each @ts-expect-error above is an error the compiler finds', () => {
    // ts-jest only transpiles (isolatedModules), so the types are checked here, as tsc would.
    const file = __filename;
    const config = ts.getParsedCommandLineOfConfigFile(
      path.resolve(__dirname, '../../tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    const program = ts.createProgram([file], { ...config!.options, noEmit: true });
    const found = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(found).toEqual([]);
    const source = program.getSourceFile(file)!.text;
    expect(source.match(/^\s*\/\/ @ts-expect-error/gm)).toHaveLength(3);
  }, 60_000);

  it('gives every kind a queue, and every queue is one the worker runs', () => {
    expect(Object.keys(QUEUE_OF).sort()).toEqual([...JOB_KIND_NAMES].sort());
    for (const kind of JOB_KIND_NAMES) {
      expect(QUEUE_NAMES).toContain(queueOf(kind));
      expect(JOB_KINDS[kind]).toEqual({ queue: QUEUE_OF[kind], payload: JOB_PAYLOADS[kind] });
    }
  });

  it('parses what the core writes with the schema of its kind', () => {
    for (const job of contract.slice(0, 3)) {
      expect(JOB_KINDS[job.kind].payload.safeParse(job.payload).success).toBe(true);
    }
    expect(JOB_KINDS['chat.provision'].payload.parse(contract[1]!.payload)).toEqual({ incidentId, platform: 'slack', replyTo: null });
  });
});
