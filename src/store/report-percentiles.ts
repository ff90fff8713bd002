/**
 * p50 and p90 from the log-scale buckets of migration 0029, the way percentile_cont reads sorted
 * values: the two ranks around p·(n−1), interpolated. Each rank's value is its bucket's, within 1 %
 * of the duration it stands for (README "Reports"), so the interpolation is too.
 */

/** 0029's report_bucket_value: bucket b ≥ 1 holds [1.02^(b−1), 1.02^b) seconds. */
export function bucketValue(b: number): number {
  return b === 0 ? 0 : Math.sign(b) * Math.pow(1.02, Math.abs(b) - 0.5);
}

/** Bucket counts of one metric; a bucket may be given more than once (sets, edges) and counts add up. */
export type Buckets = Map<number, number>;

/** The buckets of each metric (1 MTTR, 2 from impact, 3 to mitigate, 4 to diagnose) from 0029's arrays. */
export function bucketsOf(metric: number[], bucket: number[], n: number[], into = new Map<number, Buckets>()): Map<number, Buckets> {
  for (let i = 0; i < metric.length; i++) {
    let m = into.get(metric[i]!);
    if (!m) into.set(metric[i]!, (m = new Map()));
    m.set(bucket[i]!, (m.get(bucket[i]!) ?? 0) + n[i]!);
  }
  return into;
}

/** [p50, p90], or null with no duration. */
export function percentiles(buckets: Buckets | undefined): [number, number] | null {
  if (!buckets) return null;
  const sorted = [...buckets.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const at = (rank: number): number => {
    let below = 0;
    for (const [b, n] of sorted) {
      if (rank < below + n) return bucketValue(b);
      below += n;
    }
    return bucketValue(sorted[sorted.length - 1]![0]);
  };
  const pick = (p: number) => {
    const h = p * (total - 1);
    const lo = at(Math.floor(h));
    return lo + (h - Math.floor(h)) * (at(Math.ceil(h)) - lo);
  };
  return [pick(0.5), pick(0.9)];
}
