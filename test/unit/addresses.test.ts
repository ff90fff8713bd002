import { addressEntryProblem, addressMatcher, localClients, PRIVATE_NETWORKS } from '../../src/http/addresses';
import { loadConfig, ConfigError } from '../../src/app/config';

describe('address lists (METRICS_ALLOW_FROM, CONSOLE_ALLOW_FROM)', () => {
  it('matches addresses inside the listed networks and single addresses, IPv4 seen through IPv6 included', () => {
    const allowed = addressMatcher(['10.0.0.0/8', '192.168.1.20', 'fd00::/8']);
    expect(['10.1.2.3', '::ffff:10.1.2.3', '192.168.1.20', 'fd12::1'].filter(allowed)).toEqual(['10.1.2.3', '::ffff:10.1.2.3', '192.168.1.20', 'fd12::1']);
    expect(['11.0.0.1', '192.168.1.21', '127.0.0.1', '::1', 'fe80::1', 'not-an-ip', '', undefined].filter(allowed)).toEqual([]);
  });

  it('the default lets this machine and the private networks in, and nothing public', () => {
    const allowed = localClients(PRIVATE_NETWORKS);
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.9', '172.16.5.5', '172.31.255.255', '192.168.0.1', 'fc00::1', 'fdab::1'])
      expect([a, allowed(a)]).toEqual([a, true]);
    for (const a of ['172.32.0.1', '8.8.8.8', '2001:db8::1', '::ffff:1.1.1.1']) expect([a, allowed(a)]).toEqual([a, false]);
  });

  it('the console keeps letting this machine in whatever its list says', () => {
    expect(localClients([])('127.0.0.1')).toBe(true);
    expect(localClients([])('10.0.0.1')).toBe(false);
  });

  it('says what is wrong with an entry', () => {
    expect(addressEntryProblem('10.0.0.0/8')).toBeNull();
    expect(addressEntryProblem('fc00::/7')).toBeNull();
    expect(addressEntryProblem('10.0.0.0/33')).toMatch(/prefix length outside 0–32/);
    expect(addressEntryProblem('example.com')).toMatch(/is not an address or a network/);
  });

  it('METRICS_ALLOW_FROM defaults to the private networks, takes a list, and refuses a bad entry with the fix', () => {
    const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/incident_bot' };
    expect(loadConfig(base).metricsAllowFrom).toEqual(PRIVATE_NETWORKS);
    expect(loadConfig({ ...base, METRICS_ALLOW_FROM: ' 10.2.0.0/16 , 192.168.1.20' }).metricsAllowFrom).toEqual(['10.2.0.0/16', '192.168.1.20']);
    let err: unknown;
    try {
      loadConfig({ ...base, METRICS_ALLOW_FROM: '10.0.0.0/8,prometheus' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(
      'METRICS_ALLOW_FROM: "prometheus" is not an address or a network such as 10.0.0.0/8; list the addresses or networks',
    );
  });
});
