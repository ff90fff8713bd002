import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import type { LoopDelay } from './protocol';

// Node records the whole interval between samples, so an idle loop reads about this much.
const RESOLUTION_MS = 1;
const STEPS = 1000;

interface Window {
  samples: number;
  max: number;
  /** The window's quantile function at 0.1, 0.2, …, 100 percent, in ms of delay. */
  quantiles: number[];
}

const delayMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

/**
 * Event-loop delay during measured windows only. Each window gets a fresh monitor: re-enabling
 * one would record the whole pause as a single sample. Windows are pooled through their
 * quantile functions at 0.1-percentile steps, since Node cannot add one such histogram to another.
 */
export class LoopDelayWindows {
  private readonly open = new Map<string, ELDHistogram>();
  private readonly closed = new Map<string, Window[]>();

  start(kind: string): void {
    const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    h.enable();
    this.open.set(kind, h);
  }

  stop(kind: string): LoopDelay {
    const h = this.open.get(kind);
    if (!h) throw new Error(`no loop-delay window open for ${kind}`);
    h.disable();
    this.open.delete(kind);
    const w: Window = {
      samples: h.count,
      max: delayMs(h.max),
      quantiles: Array.from({ length: STEPS }, (_, k) => delayMs(h.percentile(((k + 1) * 100) / STEPS))),
    };
    this.closed.set(kind, [...(this.closed.get(kind) ?? []), w]);
    return figures([w]);
  }

  pooled(kind: string): LoopDelay {
    return figures(this.closed.get(kind) ?? []);
  }
}

function figures(windows: Window[]): LoopDelay {
  const total = windows.reduce((n, w) => n + w.samples, 0);
  if (total === 0) return { p50: NaN, p99: NaN, max: NaN, samples: 0 };
  // Share of all samples at or below x: each window weighs as many samples as it took.
  const below = (x: number) => windows.reduce((sum, w) => sum + (w.samples * w.quantiles.filter((q) => q <= x).length) / STEPS, 0) / total;
  const candidates = [...new Set(windows.flatMap((w) => w.quantiles))].sort((a, b) => a - b);
  const at = (p: number) => {
    let lo = 0;
    let hi = candidates.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (below(candidates[mid]!) >= p) hi = mid;
      else lo = mid + 1;
    }
    return candidates[lo]!;
  };
  return { p50: at(0.5), p99: at(0.99), max: Math.max(...windows.map((w) => w.max)), samples: total };
}
