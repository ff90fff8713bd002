import { readSlackMention } from '../../src/adapters/slack/commands';
import { mrkdwn } from '../../src/adapters/slack/format';
import { parseCommand } from '../../src/core/commands/parse';
import { UserError } from '../../src/core/errors';
import { problemText } from '../../src/core/render/replies';

// The one parser every surface uses, fed Slack's way of writing a mention.
describe('parseCommand', () => {
  function userError(text: string): UserError {
    try {
      parseCommand(text, readSlackMention);
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      return err as UserError;
    }
    throw new Error(`expected "${text}" to be refused`);
  }

  it('reads a runbook name with a summary as a declaration', () => {
    expect(parseCommand('pdf-404 invoices 404', readSlackMention)).toEqual({ kind: 'declare', runbook: 'pdf-404', summary: 'invoices 404' });
  });

  it('reads declare as a declaration with the general runbook, with or without a summary', () => {
    expect(parseCommand('declare the login page is slow', readSlackMention)).toEqual({
      kind: 'declare',
      runbook: 'general',
      summary: 'the login page is slow',
    });
    expect(parseCommand('DECLARE', readSlackMention)).toEqual({ kind: 'declare', runbook: 'general', summary: undefined });
  });

  it('reads class, duplicate and link with what they name', () => {
    expect(parseCommand('class Auth', readSlackMention)).toEqual({ kind: 'class', name: 'auth' });
    expect(parseCommand('duplicate inc-7', readSlackMention)).toEqual({ kind: 'duplicate', of: 7 });
    expect(parseCommand('link INC-12', readSlackMention)).toEqual({ kind: 'link', with: 12 });
  });

  it.each([
    ['class', 'class'],
    ['class auth outage', 'class'],
    ['duplicate', 'duplicate'],
    ['duplicate 7', 'duplicate'],
    ['link INC-7 INC-8', 'link'],
  ])('refuses %p, saying how to write it', (text, field) => {
    expect(userError(text).problem).toEqual({ code: 'invalid_input', field });
  });

  it('reads a runbook name alone as a declaration without summary, keeping it as typed for error messages', () => {
    expect(parseCommand('  PDF-404  ', readSlackMention)).toEqual({ kind: 'declare', runbook: 'PDF-404', summary: undefined });
  });

  it.each([
    ['sev 2', 2],
    ['sev 1', 1],
    ['severity 4', 4],
    ['SEV sev3', 3],
  ])('reads %p as a severity change', (text, severity) => {
    expect(parseCommand(text, readSlackMention)).toEqual({ kind: 'sev', severity });
  });

  it.each(['sev 9', 'sev 0', 'sev', 'sev two', 'sev 2 now', 'sev 1.5'])('refuses %p and shows the fix', (text) => {
    const err = userError(text);
    expect(err.code).toBe('invalid_input');
    expect(mrkdwn(problemText(err.problem))).toContain('`/incident sev 2`');
  });

  it('reads an escaped @mention as the new commander', () => {
    expect(parseCommand('commander <@U123|jane>', readSlackMention)).toEqual({ kind: 'commander', userId: 'U123' });
    expect(parseCommand('commander <@W0ENT1>', readSlackMention)).toEqual({ kind: 'commander', userId: 'W0ENT1' });
  });

  it.each(['commander jane', 'commander @jane', 'commander', 'commander <@U1|a> <@U2|b>'])('refuses %p and says to pick an @mention', (text) => {
    const err = userError(text);
    expect(err.code).toBe('invalid_input');
    expect(mrkdwn(problemText(err.problem))).toContain('@mention');
  });

  it('reads the long forms acknowledge and severity as commands, and refuses sev 0x2', () => {
    expect(parseCommand('acknowledge', readSlackMention)).toEqual({ kind: 'ack' });
    expect(parseCommand('severity 3', readSlackMention)).toEqual({ kind: 'sev', severity: 3 });
    expect(parseCommand('sev sev1', readSlackMention)).toEqual({ kind: 'sev', severity: 1 });
    expect(() => parseCommand('sev 0x2', readSlackMention)).toThrow(UserError);
  });

  it('shows help for empty text and for help', () => {
    expect(parseCommand('', readSlackMention)).toEqual({ kind: 'help' });
    expect(parseCommand('   ', readSlackMention)).toEqual({ kind: 'help' });
    expect(parseCommand('help', readSlackMention)).toEqual({ kind: 'help' });
  });

  it('reads commands case-insensitively and keeps the rest as the summary', () => {
    expect(parseCommand('RESOLVE all good', readSlackMention)).toEqual({ kind: 'resolve', summary: 'all good' });
    expect(parseCommand('resolve', readSlackMention)).toEqual({ kind: 'resolve', summary: undefined });
    expect(parseCommand('cancel declared by mistake', readSlackMention)).toEqual({ kind: 'cancel', reason: 'declared by mistake' });
  });

  it.each([
    ['ack', 'ack'],
    ['Acknowledge', 'ack'],
    ['mitigated', 'mitigate'],
    ['status', 'status'],
    ['list', 'list'],
  ])('reads %p as the %s command', (text, kind) => {
    expect(parseCommand(text, readSlackMention)).toEqual({ kind });
  });
});

describe('parseCommand: post-mortems, action items and edge cases', () => {
  const parse = (text: string) => parseCommand(text, readSlackMention);
  const refusal = (text: string) => {
    try {
      parse(text);
    } catch (err) {
      return mrkdwn(problemText((err as UserError).problem));
    }
    throw new Error(`expected "${text}" to be refused`);
  };

  it('reads an action item with an owner and a due date at the end, the rest as its text', () => {
    expect(parse('action add rotate the storage key <@UBOB0002|bob> due 2026-12-24')).toEqual({
      kind: 'action_add',
      text: 'rotate the storage key',
      owner: 'UBOB0002',
      dueOn: '2026-12-24',
    });
    expect(parse('action add write the runbook page')).toEqual({ kind: 'action_add', text: 'write the runbook page', owner: null, dueOn: null });
    expect(parse('actions add INC-7 alert on 404s <@UBOB0002>')).toEqual({ kind: 'action_add', text: 'alert on 404s', owner: 'UBOB0002', dueOn: null, ref: 7 });
  });

  it('reads list and done, with or without the incident named', () => {
    expect(parse('action list')).toEqual({ kind: 'action_list' });
    expect(parse('action done 2')).toEqual({ kind: 'action_done', number: 2 });
    expect(parse('action done INC-7 #3')).toEqual({ kind: 'action_done', number: 3, ref: 7 });
  });

  it('refuses a date that is not a day, and an action without a verb, saying what to type', () => {
    expect(refusal('action add fix it due 2026-02-30')).toMatch(/YYYY-MM-DD/);
    expect(refusal('action add fix it due tomorrow')).toMatch(/YYYY-MM-DD/);
  });

  it('reads postmortem, postmortem review and publish, and edge <n> [note]', () => {
    expect(parse('postmortem')).toEqual({ kind: 'postmortem' });
    expect(parse('post-mortem review')).toEqual({ kind: 'postmortem', to: 'in_review' });
    expect(parse('pm publish')).toEqual({ kind: 'postmortem', to: 'published' });
    expect(parse('edge 2 links from old emails')).toEqual({ kind: 'edge', number: 2, note: 'links from old emails' });
    expect(refusal('edge two')).toMatch(/edge 2/);
    // Alone it lists the cases; `<step>:<n>` names a step's own, as its This happened button does.
    expect(parse('edge')).toEqual({ kind: 'edge' });
    expect(parse('edge redis-health:1 NOAUTH again')).toEqual({ kind: 'edge', step: 'redis-health', number: 1, note: 'NOAUTH again' });
    expect(refusal('edge redis-health:0')).toContain('edge &lt;step&gt;:1 [note]');
    expect(refusal('action frobnicate')).toMatch(/action add/);
  });
});

describe('parseCommand: notes', () => {
  const parse = (text: string) => parseCommand(text, readSlackMention);

  it('takes everything after note as typed, INC-like words included', () => {
    expect(parse('note the 500s started after the 14:02 deploy')).toEqual({ kind: 'note', text: 'the 500s started after the 14:02 deploy' });
    expect(parse('note INC-3 had the same 403s')).toEqual({ kind: 'note', text: 'INC-3 had the same 403s' });
  });

  it('refuses an empty note, one that shows nothing and one over the limit, saying how to write it', () => {
    const refusedWith = (text: string) => {
      try {
        parse(text);
      } catch (err) {
        return (err as UserError).problem;
      }
      throw new Error('not refused');
    };
    expect(refusedWith('note')).toEqual({ code: 'invalid_input', field: 'note' });
    expect(refusedWith('note \u200b\u2066')).toEqual({ code: 'invisible_text', field: 'note' });
    expect(refusedWith(`note ${'é'.repeat(501)}`)).toEqual({ code: 'too_long', field: 'note', max: 500, length: 501 });
  });
});
