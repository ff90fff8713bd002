import { runCli } from '../../src/app/commands/program';
import { startCommand } from '../../src/app/commands/start';

// The parse is what is under test: the bot itself is not started.
jest.mock('../../src/app/commands/start', () => ({ ROLES: ['all', 'web', 'worker'], startCommand: jest.fn(async () => -1) }));

const start = startCommand as jest.MockedFunction<typeof startCommand>;

describe('incident-bot start, as parsed', () => {
  const said: string[] = [];
  const output = { writeOut: (t: string) => said.push(t), writeErr: (t: string) => said.push(t) };
  beforeEach(() => {
    start.mockClear();
    said.length = 0;
  });

  it.each([[['--role=web']], [['--role', 'web']]])('takes %j as role web', async (args) => {
    expect(await runCli(['start', ...args], output)).toBe(-1);
    expect(start).toHaveBeenCalledWith({ role: 'web', migrate: true });
  });

  it('defaults to role all with migrations, and --no-migrate turns them off', async () => {
    await runCli(['start'], output);
    await runCli(['start', '--role=worker', '--no-migrate'], output);
    expect(start.mock.calls).toEqual([[{ role: 'all', migrate: true }], [{ role: 'worker', migrate: false }]]);
  });

  it.each([[['--role=bogus']], [['--role']], [['--rol=web']], [['web']]])('refuses %j with exit 2 and the usage, without starting', async (args) => {
    expect(await runCli(['start', ...args], output)).toBe(2);
    expect(said.join('')).toContain('Usage: incident-bot start [options]');
    expect(start).not.toHaveBeenCalled();
  });

  it('answers --help and help start with the usage and exit 0, without starting', async () => {
    expect(await runCli(['start', '--help'], output)).toBe(0);
    expect(await runCli(['help', 'start'], output)).toBe(0);
    expect(said.join('')).toContain('--role <role>');
    expect(start).not.toHaveBeenCalled();
  });
});

describe('incident-bot --help', () => {
  it('lists every command with its flags', async () => {
    const said: string[] = [];
    expect(await runCli(['--help'], { writeOut: (t) => said.push(t), writeErr: (t) => said.push(t) })).toBe(0);
    const help = said.join('');
    for (const line of [
      'incident-bot start [--role <role>] [--no-migrate]',
      'incident-bot migrate',
      'incident-bot runbooks check [dir]',
      'incident-bot report mttr [--since <date>] [--until <date>] [--json]',
      'incident-bot import <source> <file> [--class-map <file>]',
      'incident-bot digest --now',
      'incident-bot postmortem <incident> [--platform <platform>] [--workspace <id>]',
    ])
      expect(help).toContain(line);
  });

  it('exits 2 with the usage for an unknown command or flag', async () => {
    const said: string[] = [];
    const output = { writeOut: (t: string) => said.push(t), writeErr: (t: string) => said.push(t) };
    expect(await runCli(['frobnicate'], output)).toBe(2);
    expect(await runCli(['--frobnicate'], output)).toBe(2);
    expect(await runCli(['migrate', '--dry-run'], output)).toBe(2);
    expect(said.join('')).toContain("unknown command 'frobnicate'");
    expect(said.join('')).toContain("unknown option '--dry-run'");
    expect(said.join('')).toContain('Usage: incident-bot migrate [options]');
  });
});
