import { ConfigError, loadConfig, surfaces } from '../../src/app/config';

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
    expect(config.slack).toEqual(expect.objectContaining({ botToken: VALID.SLACK_BOT_TOKEN, signingSecret: VALID.SLACK_SIGNING_SECRET }));
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
    const err = configError({ PORT: 'abc', SLACK_API_URL: 'https://slack.example/api/', SLACK_APP_TOKEN: '', CONSOLE: 'off' });

    expect(err.problems).toHaveLength(3);
    const about = (name: string) => err.problems.filter((p) => p.includes(name));
    for (const name of ['DATABASE_URL', 'Nothing to serve', 'PORT']) {
      expect(about(name)).toHaveLength(1);
    }
    expect(about('DATABASE_URL')[0]).toMatch(/postgres:\/\//);
    expect(about('Nothing to serve')[0]).toMatch(/SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET/);
    expect(about('PORT')[0]).toMatch(/whole number from 0 to 65535/);

    // The printed message carries the whole list, one line per problem.
    for (const p of err.problems) expect(err.message).toContain(`  - ${p}`);
    expect(err.message.split('\n')).toHaveLength(1 + err.problems.length);
  });

  it("asks for the rest of Slack's settings once any of them is set", () => {
    const err = configError({ DATABASE_URL: VALID.DATABASE_URL, SLACK_SIGNING_SECRET: VALID.SLACK_SIGNING_SECRET });
    expect(err.problems).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN is required for Slack: .*OAuth & Permissions/)]);
    const http = configError({ DATABASE_URL: VALID.DATABASE_URL, SLACK_BOT_TOKEN: VALID.SLACK_BOT_TOKEN });
    expect(http.problems).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET is required in HTTP mode: .*Basic Information/)]);
  });

  it('reads the alert settings, off by default, and refuses weak or misnamed ones with the fix', () => {
    expect(loadConfig(VALID).alerts).toEqual({ token: null, secret: null, unroutedSlackChannel: null });
    const on = loadConfig({ ...VALID, ALERTS_TOKEN: 't'.repeat(32), ALERTS_SECRET: 's'.repeat(16), ALERTS_UNROUTED_CHANNEL: 'C0ALERTS' });
    expect(on.alerts).toEqual({ token: 't'.repeat(32), secret: 's'.repeat(16), unroutedSlackChannel: 'C0ALERTS' });
    const err = configError({ ...VALID, ALERTS_TOKEN: 'short', ALERTS_SECRET: 'short', ALERTS_UNROUTED_CHANNEL: '#alerts' });
    expect(err.problems).toEqual([
      expect.stringMatching(/^ALERTS_TOKEN is too short: use 32\+ random characters/),
      expect.stringMatching(/^ALERTS_SECRET is too short: use 16\+ random characters/),
      expect.stringMatching(/^ALERTS_UNROUTED_CHANNEL must be a Slack channel ID such as C0123ABCD/),
    ]);
    expect(err.message).not.toContain('short,');
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

  describe('escalation webhooks', () => {
    // Obviously fake keys; the PagerDuty one has the 32 characters of a real integration key.
    const HMAC = 'fake-hmac-secret-for-tests-only';
    const ROUTING_KEY = 'FAKE0ROUTING0KEY0FOR0TESTS000000';

    it('has none unless ESCALATION_WEBHOOKS lists some', () => {
      expect(loadConfig({ ...VALID }).webhooks).toEqual({});
    });

    it('reads each listed webhook, generic by default, PagerDuty at its Events API URL unless told otherwise', () => {
      const config = loadConfig({
        ...VALID,
        ESCALATION_WEBHOOKS: ' pagerduty, status-page ,pagerduty',
        ESCALATION_WEBHOOK_PAGERDUTY_PRESET: 'pagerduty',
        ESCALATION_WEBHOOK_PAGERDUTY_SECRET: ROUTING_KEY,
        ESCALATION_WEBHOOK_STATUS_PAGE_URL: 'https://hooks.example.com/incident-bot?channel=ops',
        ESCALATION_WEBHOOK_STATUS_PAGE_SECRET: HMAC,
      });
      expect(config.webhooks).toEqual({
        pagerduty: { name: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue', secret: ROUTING_KEY, preset: 'pagerduty' },
        'status-page': { name: 'status-page', url: 'https://hooks.example.com/incident-bot?channel=ops', secret: HMAC, preset: 'generic' },
      });
    });

    it.each(['http://localhost:8080/hook', 'http://127.0.0.1:9/hook', 'http://[::1]:9/hook'])('accepts plain http to this machine: %s', (url) => {
      const config = loadConfig({ ...VALID, ESCALATION_WEBHOOKS: 'local', ESCALATION_WEBHOOK_LOCAL_URL: url, ESCALATION_WEBHOOK_LOCAL_SECRET: HMAC });
      expect(config.webhooks.local?.url).toBe(url);
    });

    it('names each missing variable of a listed webhook, with what to put in it', () => {
      const err = configError({ ...VALID, ESCALATION_WEBHOOKS: 'statuspage,pagerduty', ESCALATION_WEBHOOK_PAGERDUTY_PRESET: 'pagerduty' });
      expect(err.problems).toEqual([
        'ESCALATION_WEBHOOK_STATUSPAGE_URL is required for webhook statuspage: the https:// URL that receives its escalations (or set ESCALATION_WEBHOOK_STATUSPAGE_PRESET=pagerduty)',
        expect.stringMatching(/^ESCALATION_WEBHOOK_STATUSPAGE_SECRET is required for webhook statuspage: a random string of at least 16 characters/),
        expect.stringMatching(/^ESCALATION_WEBHOOK_PAGERDUTY_SECRET is required for webhook pagerduty: the 32-character integration key .*Events API v2/),
      ]);
    });

    it.each([
      ['plain http to another host', 'http://hooks.example.com/hook'],
      ['not https at all', 'ftp://hooks.example.com/hook'],
      ['not a URL', 'hooks.example.com/hook'],
      ['a look-alike of loopback', 'http://127.example.com/hook'],
    ])('refuses a URL that is %s', (_why, url) => {
      const err = configError({
        ...VALID,
        ESCALATION_WEBHOOKS: 'statuspage',
        ESCALATION_WEBHOOK_STATUSPAGE_URL: url,
        ESCALATION_WEBHOOK_STATUSPAGE_SECRET: HMAC,
      });
      expect(err.problems).toEqual(['ESCALATION_WEBHOOK_STATUSPAGE_URL must be an https:// URL (http:// only for localhost or a loopback address)']);
    });

    it('refuses an unknown preset, a short HMAC secret and a PagerDuty key of the wrong length', () => {
      const err = configError({
        ...VALID,
        ESCALATION_WEBHOOKS: 'a,b,c',
        ESCALATION_WEBHOOK_A_PRESET: 'opsgenie',
        ESCALATION_WEBHOOK_A_URL: 'https://a.example.com/',
        ESCALATION_WEBHOOK_A_SECRET: HMAC,
        ESCALATION_WEBHOOK_B_URL: 'https://b.example.com/',
        ESCALATION_WEBHOOK_B_SECRET: 'short',
        ESCALATION_WEBHOOK_C_PRESET: 'pagerduty',
        ESCALATION_WEBHOOK_C_SECRET: `${ROUTING_KEY}X`,
      });
      expect(err.problems).toEqual([
        'ESCALATION_WEBHOOK_A_PRESET must be generic or pagerduty (default generic)',
        expect.stringMatching(/^ESCALATION_WEBHOOK_B_SECRET is too short: use a random string of at least 16 characters/),
        expect.stringMatching(/^ESCALATION_WEBHOOK_C_SECRET must be the 32-character integration key/),
      ]);
    });

    it.each(['PagerDuty', 'pager_duty', 'a,,b', 'pagerduty,', 'status page', '-x'])('refuses the list %p, saying what names may hold', (value) => {
      const err = configError({ ...VALID, ESCALATION_WEBHOOKS: value });
      expect(err.problems).toEqual([
        'ESCALATION_WEBHOOKS must be a comma-separated list of webhook names (lowercase letters, digits and "-"), e.g. pagerduty,statuspage',
      ]);
    });

    it('refuses the variables of a webhook that is not listed, which would otherwise only fail mid-incident', () => {
      const err = configError({
        ...VALID,
        ESCALATION_WEBHOOKS: 'pagerduty',
        ESCALATION_WEBHOOK_PAGERDUTY_PRESET: 'pagerduty',
        ESCALATION_WEBHOOK_PAGERDUTY_SECRET: ROUTING_KEY,
        ESCALATION_WEBHOOK_STATUS_PAGE_SECRET: HMAC,
      });
      expect(err.problems).toEqual([
        'ESCALATION_WEBHOOK_STATUS_PAGE_SECRET is set but ESCALATION_WEBHOOKS does not list its webhook: add status-page there, or unset it',
      ]);
    });

    it('never echoes a webhook secret or URL in the error', () => {
      const leaks = {
        ESCALATION_WEBHOOK_A_URL: 'http://hooks.example.com/hook?token=url-token-should-not-leak',
        ESCALATION_WEBHOOK_A_SECRET: 'leak7',
        ESCALATION_WEBHOOK_B_PRESET: 'pagerduty',
        ESCALATION_WEBHOOK_B_SECRET: 'routing-key-should-not-leak',
      };
      const err = configError({ ...VALID, ESCALATION_WEBHOOKS: 'a,b', ...leaks });

      expect(err.problems).toHaveLength(3);
      const printed = [err.message, ...err.problems].join('\n');
      for (const value of Object.values(leaks).filter((v) => v !== 'pagerduty')) expect(printed).not.toContain(value);
      expect(printed).not.toContain('url-token');
    });

    it('lists webhook problems together with the others', () => {
      const err = configError({ ...VALID, PORT: 'abc', ESCALATION_WEBHOOKS: 'statuspage', ESCALATION_WEBHOOK_STATUSPAGE_URL: 'https://hooks.example.com/' });
      expect(err.problems).toEqual([expect.stringMatching(/^PORT /), expect.stringMatching(/^ESCALATION_WEBHOOK_STATUSPAGE_SECRET is required/)]);
    });
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
      expect(err.problems).toEqual(['INCIDENT_ADMINS must be a comma-separated list of Slack user IDs (U…/W…) or user group IDs (S…)']);
    });
  });
});

describe('loadConfig: the weekly digest', () => {
  it('posts Mondays at 09:00 UTC by default, and nowhere until a channel is set', () => {
    expect(loadConfig({ ...VALID }).digest).toEqual({ cron: '0 9 * * 1', tz: 'UTC', slackChannel: null, teamsChannel: null });
  });

  it('takes a channel id, a time zone and a six-field cron with seconds', () => {
    const config = loadConfig({ ...VALID, DIGEST_CRON: '30 0 8 * * 5', DIGEST_TZ: 'Europe/Berlin', DIGEST_SLACK_CHANNEL: 'C0KPI123' });
    expect(config.digest).toEqual({ cron: '30 0 8 * * 5', tz: 'Europe/Berlin', slackChannel: 'C0KPI123', teamsChannel: null });
  });

  it('refuses a cron that is not one, naming the variable and the expected form', () => {
    for (const cron of ['every monday', '61 9 * * 1', '0 9 * *', '@weekly']) {
      const err = configError({ ...VALID, DIGEST_CRON: cron });
      expect(err.problems).toEqual([expect.stringMatching(/^DIGEST_CRON .*0 9 \* \* 1/)]);
    }
  });

  it('refuses an unknown time zone and a channel given by name', () => {
    const err = configError({ ...VALID, DIGEST_TZ: 'Mars/Olympus', DIGEST_SLACK_CHANNEL: '#eng-kpis' });
    expect(err.problems).toEqual([
      expect.stringMatching(/^DIGEST_TZ: Mars\/Olympus is not a time zone/),
      expect.stringMatching(/^DIGEST_SLACK_CHANNEL must be a Slack channel ID/),
    ]);
  });
});

describe("loadConfig: the team's time zone", () => {
  it('is UTC by default, and TEAM_TZ sets it for the day, the digest and the reminders alike', () => {
    expect(loadConfig({ ...VALID }).tz).toBe('UTC');
    const config = loadConfig({ ...VALID, TEAM_TZ: 'Asia/Tokyo' });
    expect([config.tz, config.digest.tz, config.reminders.tz]).toEqual(['Asia/Tokyo', 'Asia/Tokyo', 'Asia/Tokyo']);
  });

  it('still reads DIGEST_TZ, its older name, and takes both when they agree', () => {
    expect(loadConfig({ ...VALID, DIGEST_TZ: 'Europe/Berlin' }).tz).toBe('Europe/Berlin');
    expect(loadConfig({ ...VALID, TEAM_TZ: 'Europe/Berlin', DIGEST_TZ: 'Europe/Berlin' }).reminders.tz).toBe('Europe/Berlin');
  });

  it('refuses two different zones, naming both variables, and an unknown TEAM_TZ', () => {
    expect(configError({ ...VALID, TEAM_TZ: 'Asia/Tokyo', DIGEST_TZ: 'Europe/Berlin' }).problems).toEqual([
      expect.stringMatching(/^TEAM_TZ \(Asia\/Tokyo\) and DIGEST_TZ \(Europe\/Berlin\) differ/),
    ]);
    expect(configError({ ...VALID, TEAM_TZ: 'Mars/Olympus' }).problems).toEqual([expect.stringMatching(/^TEAM_TZ: Mars\/Olympus is not a time zone/)]);
  });
});

describe('loadConfig: Microsoft Teams', () => {
  const DB = { DATABASE_URL: VALID.DATABASE_URL };
  const APP = {
    MICROSOFT_APP_ID: '0b6fe6d1-fece-44f7-9a48-56465e2d5ab8',
    MICROSOFT_APP_PASSWORD: 'client-secret-value',
    MICROSOFT_APP_TENANT_ID: '7d1b1e9c-3f2a-4c8e-9b5d-2a6f0e4c8b13',
  };

  it('starts Teams-only with no Slack variable (empty ones count as unset), and start names the platform', () => {
    const config = loadConfig({ ...DB, ...APP, MICROSOFT_APP_TYPE: 'SingleTenant', SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' });
    expect(config.slack).toBeNull();
    expect(config.teams).toEqual(expect.objectContaining({ appId: APP.MICROSOFT_APP_ID, appType: 'SingleTenant', tenantId: APP.MICROSOFT_APP_TENANT_ID }));
    expect(surfaces(config)).toEqual(['teams']);
  });

  it('starts Slack-only with no Teams variable, and serves both when both are set', () => {
    expect(loadConfig({ ...VALID, MICROSOFT_APP_ID: '', TEAMS_ADMINS: '' }).teams).toBeNull();
    expect(surfaces(loadConfig({ ...VALID, ...APP }))).toEqual(['slack (HTTP)', 'teams']);
  });

  it('an empty app id means local no-auth mode, which start says answers this machine only', () => {
    const config = loadConfig({ ...DB, TEAMS: 'on', MICROSOFT_APP_ID: '' });
    expect(config.teams?.appId).toBeNull();
    expect(surfaces(config)).toEqual(['teams (local no-auth mode: loopback clients only)']);
  });

  it('names every Teams problem at once, with the Slack ones', () => {
    const err = configError({
      ...DB,
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      MICROSOFT_APP_ID: 'my-bot',
      MICROSOFT_APP_TYPE: 'Single',
      TEAMS_INCIDENT_CHANNEL_ID: '#incidents',
      TEAMS_ADMINS: 'alice@braiflow.example',
    });
    for (const name of [
      'SLACK_BOT_TOKEN must be',
      'MICROSOFT_APP_ID must be',
      'MICROSOFT_APP_TYPE must be',
      'TEAMS_INCIDENT_CHANNEL_ID must be',
      'TEAMS_ADMINS must be',
    ]) {
      expect(err.problems.filter((p) => p.startsWith(name))).toHaveLength(1);
    }
  });

  it("accepts activities from the app's own tenant by default, from TEAMS_ALLOWED_TENANTS when set, and refuses a list that is not GUIDs", () => {
    expect(loadConfig({ ...DB, ...APP }).teams?.allowedTenants).toEqual([APP.MICROSOFT_APP_TENANT_ID]);
    const other = 'F0E1D2C3-B4A5-4968-8776-5A4B3C2D1E0F';
    expect(loadConfig({ ...DB, ...APP, TEAMS_ALLOWED_TENANTS: ` ${APP.MICROSOFT_APP_TENANT_ID} , ${other}` }).teams?.allowedTenants).toEqual([
      APP.MICROSOFT_APP_TENANT_ID,
      other.toLowerCase(),
    ]);
    // A multi-tenant bot with neither has nothing to compare with: any tenant (start warns).
    expect(loadConfig({ ...DB, ...APP, MICROSOFT_APP_TENANT_ID: '' }).teams?.allowedTenants).toEqual([]);
    expect(configError({ ...DB, ...APP, TEAMS_ALLOWED_TENANTS: 'contoso.onmicrosoft.com' }).problems).toEqual([
      expect.stringMatching(/^TEAMS_ALLOWED_TENANTS must be a comma-separated list of Microsoft Entra tenant IDs/),
    ]);
  });

  it('asks for what the app type needs: a secret unless a managed identity, a tenant unless multi-tenant', () => {
    const err = configError({ ...DB, MICROSOFT_APP_ID: APP.MICROSOFT_APP_ID, MICROSOFT_APP_TYPE: 'SingleTenant' });
    expect(err.problems).toEqual([expect.stringMatching(/^MICROSOFT_APP_PASSWORD is required/), expect.stringMatching(/^MICROSOFT_APP_TENANT_ID is required/)]);
    expect(
      loadConfig({ ...DB, MICROSOFT_APP_ID: APP.MICROSOFT_APP_ID, MICROSOFT_APP_TYPE: 'UserAssignedMSI', MICROSOFT_APP_TENANT_ID: APP.MICROSOFT_APP_TENANT_ID })
        .teams?.appType,
    ).toBe('UserAssignedMSI');
    expect(configError({ ...DB, TEAMS: 'on', MICROSOFT_APP_PASSWORD: 'client-secret-value' }).problems).toEqual([
      expect.stringMatching(/^MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is not/),
    ]);
  });
});

describe('loadConfig: the web console', () => {
  const DB = { DATABASE_URL: VALID.DATABASE_URL };

  it('serves the console alone when no chat platform is set (empty values count as unset)', () => {
    const config = loadConfig({ ...DB, SLACK_BOT_TOKEN: '', MICROSOFT_APP_ID: '' });
    expect(config.slack).toBeNull();
    expect(config.teams).toBeNull();
    expect(config.console).toEqual({
      token: null,
      secret: null,
      publicUrl: null,
      allowFrom: [],
      people: expect.arrayContaining([{ id: 'root', name: 'Root (admin)', admin: true }]),
    });
    expect(surfaces(config)).toEqual(['console (this machine only)']);
  });

  it('keeps the console off beside Slack unless CONSOLE=on', () => {
    expect(loadConfig({ ...VALID }).console).toBeNull();
    expect(surfaces(loadConfig({ ...VALID, CONSOLE: 'on', CONSOLE_TOKEN: 'a-long-random-console-token' }))).toEqual([
      'slack (HTTP)',
      'console (token required)',
    ]);
  });

  it('refuses a short token and an admin who is not one of the people, with the rest', () => {
    const err = configError({ ...DB, CONSOLE_TOKEN: 'short', CONSOLE_PEOPLE: 'ada:Ada,ben:Ben', CONSOLE_ADMINS: 'root' });
    expect(err.problems).toEqual([expect.stringMatching(/^CONSOLE_TOKEN is too weak/), expect.stringMatching(/^CONSOLE_ADMINS names "root"/)]);
  });

  it('refuses a CONSOLE_TOKEN under 128 bits, or repetitive, and offers a freshly generated one that passes', () => {
    const weak = [
      'passwordpassword', // a repeated unit
      'abcabcabcabcabcabcabcabcabcabcabc', // long, but one unit over and over
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', // one character
      'abababababcdcdcdcdcd1212121212', // few distinct characters
      '0123456789abcdef01234567', // 24 hex digits: 124 bits by the estimate
      'correcthorsebattery', // 19 lowercase letters: 89 bits
    ];
    const offered = new Set<string>();
    for (const token of weak) {
      const err = configError({ ...DB, CONSOLE_TOKEN: token });
      expect({ token, problems: err.problems }).toEqual({
        token,
        problems: [expect.stringMatching(/^CONSOLE_TOKEN is too weak: .*freshly generated token: [A-Za-z0-9_-]{32}$/)],
      });
      expect(err.message).not.toContain(token);
      const fresh = /token: ([A-Za-z0-9_-]{32})$/.exec(err.problems[0]!)![1]!;
      offered.add(fresh);
      // What it offers is itself accepted.
      expect(loadConfig({ ...DB, CONSOLE_TOKEN: fresh }).console?.token).toBe(fresh);
    }
    expect(offered.size).toBe(weak.length);
    for (const token of ['c3f1a9e07b2d4f6a8e1b3c5d7f9a0b2c', 'console-test-token-0123456789abcdef', 'Zq3vX9kP2mW7rT5yB8nC4d']) {
      expect(loadConfig({ ...DB, CONSOLE_TOKEN: token }).console?.token).toBe(token);
    }
  });

  it('listens on loopback when the token-free console is all it serves; on every interface otherwise or as HOST says', () => {
    expect(loadConfig({ ...DB }).host).toBe('127.0.0.1');
    expect(loadConfig({ ...DB, CONSOLE_TOKEN: 'Zq3vX9kP2mW7rT5yB8nC4d' }).host).toBeNull();
    expect(loadConfig({ ...VALID }).host).toBeNull();
    expect(loadConfig({ ...VALID, CONSOLE: 'on' }).host).toBeNull();
    // Socket Mode takes no request: the open console is still the only thing served.
    expect(loadConfig({ ...VALID, SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: 'xapp-1', CONSOLE: 'on' }).host).toBe('127.0.0.1');
    expect(loadConfig({ ...DB, TEAMS: 'on' }).host).toBeNull();
    expect(loadConfig({ ...DB, HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...DB, HOST: '::' }).host).toBe('::');
    expect(configError({ ...DB, HOST: 'http://0.0.0.0' }).problems).toEqual([expect.stringMatching(/^HOST is the address to listen on/)]);
  });

  it('reads CONSOLE_PUBLIC_URL (http or https, trailing slash dropped) and CONSOLE_SECRET (32+ characters)', () => {
    const config = loadConfig({ ...DB, CONSOLE_PUBLIC_URL: 'https://incidents.example.com/', CONSOLE_SECRET: 's'.repeat(16) + 't'.repeat(16) });
    expect(config.console).toEqual(expect.objectContaining({ publicUrl: 'https://incidents.example.com', secret: 's'.repeat(16) + 't'.repeat(16) }));
    const err = configError({ ...DB, CONSOLE_PUBLIC_URL: 'ftp://incidents.example.com', CONSOLE_SECRET: 'too-short' });
    expect(err.problems).toEqual([
      expect.stringMatching(/^CONSOLE_SECRET is too short/),
      expect.stringMatching(/^CONSOLE_PUBLIC_URL must be the absolute http\(s\) URL/),
    ]);
    expect(err.message).not.toContain('too-short');
  });
});
