import { isPrivateAddress, parseAllowedHosts, refusal, refusalByName, type HostPolicy } from '../../src/probes/host-policy';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', 'IPv4 loopback'],
    ['127.255.255.254', 'anywhere in 127/8'],
    ['10.0.0.5', '10/8'],
    ['172.16.0.1', 'start of 172.16/12'],
    ['172.31.255.255', 'end of 172.16/12'],
    ['192.168.1.1', '192.168/16'],
    ['169.254.10.20', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['100.64.0.1', 'start of CGNAT 100.64/10'],
    ['100.127.255.255', 'end of CGNAT'],
    ['0.0.0.0', 'unspecified IPv4'],
    ['0.1.2.3', '0/8'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'unspecified IPv6'],
    ['[::1]', 'a bracketed literal as it appears in a URL'],
    ['fc00::1', 'unique local fc00::/7'],
    ['fd12:3456::1', 'unique local, fd half'],
    ['fd00:ec2::254', 'AWS IPv6 metadata'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'link-local with a zone id'],
    ['febf:ffff::1', 'end of fe80::/10'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form the URL parser produces'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of 169.254.169.254'],
    ['2002:7f00:1::', '6to4 of 127.0.0.1'],
    ['not-an-ip', 'something that is not an address (fail closed)'],
  ])('treats %s as private (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    ['93.184.216.34', 'a public IPv4'],
    ['8.8.8.8', 'a public resolver'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.0', 'just above 172.16/12'],
    ['100.63.255.255', 'just below CGNAT'],
    ['100.128.0.0', 'just above CGNAT'],
    ['169.253.255.255', 'just below link-local'],
    ['11.0.0.1', 'just above 10/8'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'a public IPv6'],
    ['2001:4860:4860::8888', 'a public IPv6 resolver'],
    ['fbff:ffff::1', 'just below fc00::/7'],
    ['::ffff:93.184.216.34', 'IPv4-mapped public'],
    ['::ffff:5db8:d822', 'IPv4-mapped public, hex form'],
    ['64:ff9b::808:808', 'NAT64 of a public IPv4'],
  ])('treats %s as public (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe('parseAllowedHosts', () => {
  it('splits on commas, trims, lowercases and keeps ports', () => {
    expect(parseAllowedHosts('api.braiflow.example, 127.0.0.1:8080')).toEqual(['api.braiflow.example', '127.0.0.1:8080']);
    expect(parseAllowedHosts(' API.Example.COM ,Internal-Api:9000 ')).toEqual(['api.example.com', 'internal-api:9000']);
  });

  it('returns no entries for an unset or empty variable, and ignores empty entries', () => {
    expect(parseAllowedHosts(undefined)).toEqual([]);
    expect(parseAllowedHosts('')).toEqual([]);
    expect(parseAllowedHosts(' , ')).toEqual([]);
    expect(parseAllowedHosts('a.example,,b.example,')).toEqual(['a.example', 'b.example']);
  });

  it('accepts IPv6 in brackets (with or without a port) or bare, and writes it the way a URL does', () => {
    expect(parseAllowedHosts('[::1]:8080, [0:0:0:0:0:0:0:1], fd00:ec2::254')).toEqual(['[::1]:8080', '[::1]', '[fd00:ec2::254]']);
  });

  it('writes a host the way the URL parser will see it, so the entry matches requests', () => {
    expect(parseAllowedHosts('api.example.com., 127.1:80')).toEqual(['api.example.com', '127.0.0.1:80']);
  });

  it('drops duplicates', () => {
    expect(parseAllowedHosts('a.example, A.example')).toEqual(['a.example']);
  });

  it.each([
    ['https://api.example.com', /no scheme/],
    ['api.example.com/v1', /no path/],
    ['user@api.example.com', /no path, user/],
    ['api example.com', /no path, user or spaces/],
    ['api.example.com:', /host or host:port/],
    ['api.example.com:0', /host or host:port/],
    ['api.example.com:65536', /host or host:port/],
    ['api.example.com:http', /host or host:port/],
    ['::1:8080:x', /host or host:port/],
    ['[::1', /host or host:port/],
    ['[not-v6]:80', /host or host:port/],
    ['-api.example.com', /host or host:port/],
    ['api..example.com', /host or host:port/],
    ['999.1.1.1', /host or host:port/],
  ])('refuses the malformed entry %p with a message that names it', (entry, why) => {
    expect(() => parseAllowedHosts(`good.example, ${entry}`)).toThrow(`PROBE_ALLOWED_HOSTS entry "${entry}" is malformed`);
    expect(() => parseAllowedHosts(entry)).toThrow(why);
  });
});

describe('refusal', () => {
  const listed: HostPolicy = { allowed: ['internal-api.example', '127.0.0.1:8080', '[::1]:9000'], apiHost: null };
  const apiOnly: HostPolicy = { allowed: [], apiHost: 'api.example' };

  it('allows a listed host whatever it resolves to, since an operator listed it on purpose', () => {
    expect(refusal(listed, 'internal-api.example', 443, ['10.0.0.5'])).toBeNull();
    expect(refusal(listed, 'INTERNAL-API.example', 80, ['10.0.0.5'])).toBeNull();
    expect(refusal(listed, '127.0.0.1', 8080, ['127.0.0.1'])).toBeNull();
    expect(refusal(listed, '[::1]', 9000, ['::1'])).toBeNull();
    expect(refusal(listed, '::1', 9000, ['::1'])).toBeNull();
  });

  it('allows a host listed without a port on the default ports only, and a host:port on that port only', () => {
    expect(refusal(listed, 'internal-api.example', 6379, ['10.0.0.5'])).toBe('blocked: internal-api.example:6379 is not in PROBE_ALLOWED_HOSTS');
    expect(refusal(listed, '127.0.0.1', 8081, ['127.0.0.1'])).toBe('blocked: 127.0.0.1:8081 is not in PROBE_ALLOWED_HOSTS');
  });

  it('refuses a host that is not listed, naming it', () => {
    expect(refusal(listed, '169.254.169.254', 80, ['169.254.169.254'])).toBe('blocked: 169.254.169.254 is not in PROBE_ALLOWED_HOSTS');
    expect(refusal(listed, 'api.example', 443, ['93.184.216.34'])).toBe('blocked: api.example is not in PROBE_ALLOWED_HOSTS');
  });

  it('ignores the API host once an allow list is set', () => {
    expect(refusal({ allowed: ['other.example'], apiHost: 'api.example' }, 'api.example', 443, ['93.184.216.34'])).toMatch(
      /^blocked: api\.example is not in PROBE_ALLOWED_HOSTS/,
    );
  });

  it('with no allow list, allows the API host when every address is public', () => {
    expect(refusal(apiOnly, 'api.example', 443, ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'])).toBeNull();
    expect(refusal({ allowed: [], apiHost: 'api.example:8443' }, 'api.example', 8443, ['93.184.216.34'])).toBeNull();
  });

  it('with no allow list, refuses the API host when any address is private, naming that address', () => {
    expect(refusal(apiOnly, 'api.example', 443, ['93.184.216.34', '10.0.0.5'])).toBe(
      'blocked: api.example resolves to 10.0.0.5, a private address; list it in PROBE_ALLOWED_HOSTS to allow it',
    );
    expect(refusal(apiOnly, 'api.example', 443, ['::ffff:127.0.0.1'])).toMatch(/resolves to ::ffff:127\.0\.0\.1, a private address/);
  });

  it('with no allow list, refuses an API host that resolved to nothing (fail closed)', () => {
    expect(refusal(apiOnly, 'api.example', 443, [])).toBe('blocked: api.example did not resolve to any address');
  });

  it('with no allow list, refuses other hosts and the API host on another port', () => {
    expect(refusal(apiOnly, 'evil.example', 443, ['93.184.216.34'])).toMatch(/^blocked: evil\.example is not in PROBE_ALLOWED_HOSTS/);
    expect(refusal(apiOnly, 'api.example', 22, ['93.184.216.34'])).toMatch(/^blocked: api\.example:22 is not in PROBE_ALLOWED_HOSTS/);
  });

  it('with no allow list and no API host, refuses everything', () => {
    expect(refusal({ allowed: [], apiHost: null }, 'api.example', 443, ['93.184.216.34'])).toMatch(/^blocked: api\.example is not in PROBE_ALLOWED_HOSTS/);
  });

  it('says plainly when the API host is itself a private IP literal', () => {
    expect(refusal({ allowed: [], apiHost: '10.0.0.5' }, '10.0.0.5', 80, ['10.0.0.5'])).toBe(
      'blocked: 10.0.0.5 is a private address; list it in PROBE_ALLOWED_HOSTS to allow it',
    );
  });

  it('decides by name alone, before any DNS lookup, whether a host could be allowed', () => {
    expect(refusalByName(apiOnly, 'api.example', 443)).toBeNull();
    expect(refusalByName(apiOnly, 'evil.example', 443)).toMatch(/^blocked: evil\.example/);
    expect(refusalByName(listed, 'internal-api.example', 443)).toBeNull();
  });
});
