import type { Band, ScaleScore } from "./types";

/** Domains in the fixed OCEAN order. The Mini-IPIP calls Openness "Intellect/Imagination" (I). */
const DOMAIN_ORDER = ["O", "I", "C", "E", "A", "N"];

function domainRank(key: string): number {
  const index = DOMAIN_ORDER.indexOf(key);
  return index === -1 ? DOMAIN_ORDER.length : index;
}

export function isDomain(scale: ScaleScore): boolean {
  return scale.parent === null && (scale.kind === "domain" || scale.kind === "trait");
}

/** Top-level scales (domains or traits) in OCEAN order; unknown keys last, in given order. */
export function domainsInOrder(scales: ScaleScore[]): ScaleScore[] {
  return scales
    .filter(isDomain)
    .map((scale, index) => ({ scale, index }))
    .sort((a, b) => domainRank(a.scale.key) - domainRank(b.scale.key) || a.index - b.index)
    .map(({ scale }) => scale);
}

/** The facets of one domain, in their published order (N1 … N6). */
export function facetsOf(scales: ScaleScore[], domainKey: string): ScaleScore[] {
  return scales
    .filter((scale) => scale.parent === domainKey)
    .sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }));
}

/** Orders any list of keyed rows (compare, history) by domain, then its facets: never by position. */
export function orderByScaleKey<T extends { key: string }>(rows: T[], parents: Record<string, string | null>): T[] {
  const rank = (row: T): [number, number, string] => {
    const parent = parents[row.key] ?? null;
    if (parent === null) return [domainRank(row.key), 0, ""];
    return [domainRank(parent), 1, row.key];
  };
  return [...rows].sort((a, b) => {
    const [ad, af, ak] = rank(a);
    const [bd, bf, bk] = rank(b);
    return ad - bd || af - bf || ak.localeCompare(bk, "en", { numeric: true });
  });
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Percentile of a T-score, as the engine computes it: 100 · Φ((T − 50) / 10). */
export function percentileOfT(t: number): number {
  return 100 * normalCdf((t - 50) / 10);
}

export interface PercentileRange {
  value: number;
  low: number;
  high: number;
}

export function percentileRange(scale: ScaleScore): PercentileRange | null {
  if (scale.percentile === null || scale.t === null) return null;
  if (!scale.interval) return { value: scale.percentile, low: scale.percentile, high: scale.percentile };
  return {
    value: scale.percentile,
    low: percentileOfT(scale.interval.t_low),
    high: percentileOfT(scale.interval.t_high),
  };
}

/** Percentiles where the bands meet: T 45 and T 55. */
export const BAND_EDGES = { low: percentileOfT(45), high: percentileOfT(55) };

export function ordinal(value: number): string {
  const n = Math.round(value);
  const rem100 = n % 100;
  if (rem100 >= 11 && rem100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

export function isBand(value: unknown): value is Band {
  return value === "low" || value === "average" || value === "high";
}
