import { ConfigError, loadConfig, surfaces } from '../../src/config';

const VALID = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/incident_bot',
  SLACK_BOT_TOKEN: 'xoxb-test-token',
  SLACK_SIGNING_SECRET: 'signing-secret-123456',
};

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadConfig to refuse this environment');
}

describe('loadConfig', () => {
  it('starts with only the database and Slack credentials set, using documented defaults for the rest', () => {
    const config = loadConfig({ ...VALID });

    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.queuePrefix).toBe('incident-bot');
    expect(config.port).toBe(3000);
    expect(config.runbooksDir).toBe('./playbooks');
    expect(config.logLevel).toBe('info');
    expect(config.slack?.admins).toEqual({ users: [], groups: [] });
    expect(config.databaseUrl).toBe(VALID.DATABASE_URL);
    expect(config.slack).toEqual(
      expect.objectContaining({ botToken: VALID.SLACK_BOT_TOKEN, signingSecret: VALID.SLACK_SIGNING_SECRET }),
    );
  });

  it('treats an empty variable (as left in a .env file) as unset, so the default still applies', () => {
    const config = loadConfig({ ...VALID, PORT: '', REDIS_URL: '', PLAYBOOKS_DIR: '' });
    expect(config.port).toBe(3000);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.runbooksDir).toBe('./playbooks');
  });

  it('reads explicit values over the defaults', () => {
    const config = loadConfig({ ...VALID, PORT: '8080', REDIS_URL: 'rediss://cache:6380', QUEUE_PREFIX: 'ib.test', PLAYBOOKS_DIR: '/etc/runbooks' });
    expect(config.port).toBe(8080);
    expect(config.redisUrl).toBe('rediss://cache:6380');
    expect(config.queuePrefix).toBe('ib.test');
    expect(config.runbooksDir).toBe('/etc/runbooks');
  });

  it('lists every missing or wrong setting at once, each naming the variable and how to fix it', () => {
    const err = configError({ PORT: 'abc', SLACK_API_URL: 'https://slack.example/api/', SLACK_APP_TOKEN: '' });

    expect(err.problems).toHaveLength(3);
    const about = (name: string) => err.problems.filter((p) => p.includes(name));
    for (const name of ['DATABASE_URL', 'No chat platform', 'PORT']) {
      expect(about(name)).toHaveLength(1);
    }
    expect(about('DATABASE_URL')[0]).toMatch(/postgres:\/\//);
    expect(about('No chat platform')[0]).toMatch(/SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET/);
    expect(about('PORT')[0]).toMatch(/whole number from 0 to 65535/);

    // The printed message carries the whole list, one line per problem.
    for (const p of err.problems) expect(err.message).toContain(`  - ${p}`);
    expect(err.message.split('\n')).toHaveLength(1 + err.problems.length);
  });

  it('asks for the rest of Slack\'s settings once any of them is set', () => {
    const err = configError({ DATABASE_URL: VALID.DATABASE_URL, SLACK_SIGNING_SECRET: VALID.SLACK_SIGNING_SECRET });
    expect(err.problems).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN is required for Slack: .*OAuth & Permissions/)]);
    const http = configError({ DATABASE_URL: VALID.DATABASE_URL, SLACK_BOT_TOKEN: VALID.SLACK_BOT_TOKEN });
    expect(http.problems).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET is required in HTTP mode: .*Basic Information/)]);
  });

  it('says which surfaces a config serves', () => {
    expect(surfaces(loadConfig({ ...VALID }))).toEqual(['slack (HTTP)']);
    const { SLACK_SIGNING_SECRET: _unused, ...socket } = VALID;
    expect(surfaces(loadConfig({ ...socket, SLACK_APP_TOKEN: 'xapp-test-1' }))).toEqual(['slack (Socket Mode)']);
  });

  it('does not ask for the signing secret in Socket Mode, where Slack signs nothing', () => {
    const { SLACK_SIGNING_SECRET: _unused, ...socket } = VALID;
    const config = loadConfig({ ...socket, SLACK_APP_TOKEN: 'xapp-test-1' });
    expect(config.slack?.appToken).toBe('xapp-test-1');
    expect(config.slack?.signingSecret).toBeUndefined();
  });

  it('never echoes a mistyped secret or password back in the error', () => {
    const secrets = {
      SLACK_BOT_TOKEN: 'xoxp-test-should-not-leak-123',
      SLACK_SIGNING_SECRET: 'leak7',
      SLACK_APP_TOKEN: 'xoxb-test-app-should-not-leak',
      DATABASE_URL: 'mysql://admin:hunter2-should-not-leak@db:3306/x',
    };
    const err = configError(secrets);

    expect(err.problems).toHaveLength(4);
    const printed = [err.message, ...err.problems].join('\n');
    for (const value of Object.values(secrets)) expect(printed).not.toContain(value);
    expect(printed).not.toContain('hunter2');
    expect(err.problems.join('\n')).toMatch(/SLACK_BOT_TOKEN must be a bot token starting with xoxb-/);
  });

  it('rejects a port out of range and an unknown log level with the fix in the message', () => {
    const err = configError({ ...VALID, PORT: '70000', LOG_LEVEL: 'verbose' });
    expect(err.problems).toEqual([
      'PORT must be a whole number from 0 to 65535 (default 3000)',
      expect.stringMatching(/^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent$/),
    ]);
  });

  describe('INCIDENT_ADMINS', () => {
    it('splits user IDs and user group IDs, ignoring spaces', () => {
      expect(loadConfig({ ...VALID, INCIDENT_ADMINS: 'U123, S456' }).slack?.admins).toEqual({ users: ['U123'], groups: ['S456'] });
    });

    it('accepts enterprise user IDs (W…) as users', () => {
      expect(loadConfig({ ...VALID, INCIDENT_ADMINS: ' W0ENT1 ,U2,S3 ' }).slack?.admins).toEqual({ users: ['W0ENT1', 'U2'], groups: ['S3'] });
    });

    it.each(['alice', '@alice', 'U123;S456', 'u123', 'U123,,S456', '#incidents'])('refuses %p with a message saying what it must be', (value) => {
      const err = configError({ ...VALID, INCIDENT_ADMINS: value });
      expect(err.problems).toEqual([
        'INCIDENT_ADMINS must be a comma-separated list of Slack user IDs (U…/W…) or user group IDs (S…)',
      ]);
    });
  });
});
