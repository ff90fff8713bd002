import { GroupCommit } from '../../src/util/group-commit';

describe('group commit', () => {
  it('writes items that arrive while a write is in flight together, each caller getting its own answer', async () => {
    const writes: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number, string>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await gate; // the first write is slow
      return items.map((n) => `wrote ${n}`);
    });
    const first = gc.add(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4].map((n) => gc.add(n));
    release();
    expect(await Promise.all([first, ...rest])).toEqual(['wrote 1', 'wrote 2', 'wrote 3', 'wrote 4']);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('fails every caller of a failed write, or retries them one by one when the failure may be one item’s', async () => {
    const poison = new Error('value out of range');
    const write = async (items: number[]) => {
      if (items.includes(13)) throw poison;
      return items.map((n) => n * 2);
    };
    const whole = new GroupCommit(write);
    const wholeResults = await Promise.allSettled([1, 13, 3].map((n) => whole.add(n)));
    expect(wholeResults.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);

    const split = new GroupCommit(write, 200, (err) => err === poison);
    const splitResults = await Promise.allSettled([1, 13, 3].map((n) => split.add(n)));
    expect(splitResults).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: poison },
      { status: 'fulfilled', value: 6 },
    ]);
  });
});
