import { PermanentError } from '../../src/core/errors';
import type { Snapshot } from '../../src/core/model';
import { requireSnapshot } from '../../src/core/incident/require-snapshot';

describe('requireSnapshot', () => {
  const snap = { incident: { id: 'i-1' } } as unknown as Snapshot;

  it('returns the stored snapshot', async () => {
    await expect(requireSnapshot({ get: async (id) => (id === 'i-1' ? snap : null) }, 'i-1')).resolves.toBe(snap);
  });

  it('refuses for good, naming the incident, when it does not exist', async () => {
    const missing = requireSnapshot({ get: async () => null }, 'i-2');
    await expect(missing).rejects.toBeInstanceOf(PermanentError);
    await expect(missing).rejects.toThrow('incident i-2 does not exist');
  });
});
