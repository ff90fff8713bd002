import { parseCommand } from '../../src/core/commands/parse';
import { decideEditAnalysis, missingAnalysis } from '../../src/core/incident/analysis';
import { decideMovePostmortem } from '../../src/core/incident/postmortem';
import { UserError } from '../../src/core/errors';
import type { Actor, PostmortemAnalysis, PostmortemStatus, Snapshot } from '../../src/core/model';
import { COMMANDER, makePostmortem, makeSnapshot } from '../support/factories';

const AT = new Date('2025-03-12T10:00:00Z');
const owner: Actor = { id: COMMANDER, isAdmin: false, inChannel: true };
const bystander: Actor = { id: 'UBYST0001', isAdmin: false, inChannel: true };

function snap(status: PostmortemStatus, analysis: Partial<PostmortemAnalysis> = {}): Snapshot {
  const s = makeSnapshot({ status: 'resolved' });
  return { ...s, incident: { ...s.incident, commander: COMMANDER }, postmortem: makePostmortem(status, { analysis: { ...FULL_EMPTY, ...analysis } }) };
}
const FULL_EMPTY: PostmortemAnalysis = {
  impactSummary: null,
  rootCause: null,
  causeCategory: null,
  contributingFactors: null,
  wentWell: null,
  wentBadly: null,
  lessons: null,
};
const problem = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.problem;
    throw e;
  }
  throw new Error('not refused');
};

describe('editing the analysis', () => {
  it('writes only the parts that change, records their names (not their text), and "n/a" in any case as n/a', () => {
    const c = decideEditAnalysis(
      snap('draft', { impactSummary: 'same' }),
      owner,
      { impactSummary: 'same', rootCause: ' keys rotated ', wentWell: 'N/A' },
      AT,
      'r1',
    );
    expect(c.postmortemAnalysis).toEqual({ set: { rootCause: 'keys rotated', wentWell: 'n/a' }, at: AT, by: COMMANDER });
    expect(c.events).toEqual([expect.objectContaining({ kind: 'postmortem.analysis_edited', data: { fields: ['root_cause', 'went_well'] } })]);
    expect(decideEditAnalysis(snap('draft', { lessons: 'x' }), owner, { lessons: 'x' }, AT, 'r2').events).toEqual([]);
  });

  it('takes a category as a slug, lowercased, or "n/a" when none fits; refuses anything else with what was typed; nothing clears it', () => {
    expect(decideEditAnalysis(snap('draft'), owner, { causeCategory: 'Storage-Keys' }, AT, 'r').postmortemAnalysis!.set).toEqual({
      causeCategory: 'storage-keys',
    });
    for (const bad of ['storage keys', 'storage--keys', '-keys', 'ключ', 'a'.repeat(65)]) {
      expect(problem(() => decideEditAnalysis(snap('draft'), owner, { causeCategory: bad }, AT, 'r'))).toMatchObject({ code: 'invalid_category' });
    }
    expect(decideEditAnalysis(snap('draft', { causeCategory: 'x' }), owner, { causeCategory: 'N/A ' }, AT, 'r').postmortemAnalysis!.set).toEqual({
      causeCategory: 'n/a',
    });
    expect(decideEditAnalysis(snap('draft', { causeCategory: 'x' }), owner, { causeCategory: ' ' }, AT, 'r').postmortemAnalysis!.set).toEqual({
      causeCategory: null,
    });
  });

  it('caps a part at 3000 characters, naming the part', () => {
    expect(problem(() => decideEditAnalysis(snap('draft'), owner, { lessons: 'x'.repeat(3001) }, AT, 'r'))).toEqual({
      code: 'too_long',
      field: 'lessons',
      max: 3000,
      length: 3001,
    });
  });

  it('is for the owner, the commander or an admin, until published', () => {
    expect(problem(() => decideEditAnalysis(snap('draft'), bystander, { lessons: 'x' }, AT, 'r'))).toMatchObject({
      code: 'not_allowed',
      action: 'edit_analysis',
    });
    expect(decideEditAnalysis(snap('in_review'), { ...bystander, isAdmin: true }, { lessons: 'x' }, AT, 'r').events).toHaveLength(1);
    for (const status of ['published', 'closed'] as const) {
      expect(problem(() => decideEditAnalysis(snap(status), owner, { lessons: 'x' }, AT, 'r'))).toMatchObject({ code: 'analysis_locked', status });
    }
  });
});

describe('the gates', () => {
  it('sends to review only with a root cause (n/a counts: someone decided)', () => {
    expect(problem(() => decideMovePostmortem(snap('draft'), owner, 'in_review', AT))).toEqual({
      code: 'analysis_missing',
      incident: 'INC-42',
      to: 'in_review',
      fields: ['rootCause'],
    });
    expect(decideMovePostmortem(snap('draft', { rootCause: 'n/a' }), owner, 'in_review', AT).postmortem).toEqual({ to: 'in_review', at: AT });
  });

  it('publishes only with every part written or n/a; a cause of n/a needs no category', () => {
    expect(problem(() => decideMovePostmortem(snap('in_review', { rootCause: 'keys', lessons: 'n/a' }), owner, 'published', AT))).toMatchObject({
      fields: ['impactSummary', 'causeCategory', 'contributingFactors', 'wentWell', 'wentBadly'],
    });
    const allNa = { impactSummary: 'n/a', rootCause: 'n/a', contributingFactors: 'n/a', wentWell: 'n/a', wentBadly: 'n/a', lessons: 'n/a' };
    expect(missingAnalysis(allNa)).toEqual([]);
    expect(decideMovePostmortem(snap('in_review', allNa), owner, 'published', AT).postmortem).toMatchObject({ to: 'closed' });
    // A cause found that no category fits: "n/a" fills the category too.
    expect(missingAnalysis({ ...allNa, rootCause: 'a one-off typo in a config file', causeCategory: 'n/a' })).toEqual([]);
  });

  it('asks who may move it before what it lacks', () => {
    expect(problem(() => decideMovePostmortem(snap('draft'), bystander, 'in_review', AT))).toMatchObject({ code: 'not_allowed' });
  });
});

describe('the typed command', () => {
  const parse = (text: string) => parseCommand(text, () => null);
  it('reads the part by its word (dashes or underscores), the incident if named, and the rest as typed', () => {
    expect(parse('analysis')).toEqual({ kind: 'analysis' });
    expect(parse('analysis INC-7')).toEqual({ kind: 'analysis', ref: 7 });
    expect(parse('analysis root-cause keys rotated\nwithout re-render')).toEqual({
      kind: 'analysis',
      field: 'rootCause',
      text: 'keys rotated\nwithout re-render',
    });
    expect(parse('analysis INC-7 went_well n/a')).toEqual({ kind: 'analysis', field: 'wentWell', text: 'n/a', ref: 7 });
    expect(parse('analysis category storage-keys')).toEqual({ kind: 'analysis', field: 'causeCategory', text: 'storage-keys' });
  });

  it('refuses an unknown part or a part with nothing written, saying how', () => {
    for (const text of ['analysis cause_of_it x', 'analysis lessons']) {
      expect(problem(() => parse(text))).toEqual({ code: 'invalid_input', field: 'analysis' });
    }
  });
});
