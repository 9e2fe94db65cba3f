import { BAND_EDGES } from "./scales";

interface Props {
  value: number;
  low: number;
  high: number;
}

const clamp = (value: number) => Math.max(0, Math.min(100, value));

/**
 * A percentile from 0 to 100: the three band zones, the 95 % interval as a shaded bar and
 * the score as a line. Decorative for assistive technology: the same figures are written
 * beside it and in the score table.
 */
export function PercentileBar({ value, low, high }: Props) {
  const from = clamp(low);
  const to = clamp(high);
  const at = clamp(value);
  return (
    <svg className="pbar" viewBox="0 0 100 26" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <rect x="0" y="9" width={BAND_EDGES.low} height="8" fill="var(--zone-low)" />
      <rect x={BAND_EDGES.low} y="9" width={BAND_EDGES.high - BAND_EDGES.low} height="8" fill="var(--zone-mid)" />
      <rect x={BAND_EDGES.high} y="9" width={100 - BAND_EDGES.high} height="8" fill="var(--zone-high)" />
      <line x1={BAND_EDGES.low} x2={BAND_EDGES.low} y1="7" y2="19" stroke="var(--border-strong)" strokeWidth="1" vectorEffect="non-scaling-stroke" />
      <line x1={BAND_EDGES.high} x2={BAND_EDGES.high} y1="7" y2="19" stroke="var(--border-strong)" strokeWidth="1" vectorEffect="non-scaling-stroke" />
      <rect x={from} y="6" width={Math.max(0.6, to - from)} height="14" rx="0.8" fill="var(--interval)" />
      <line x1={at} x2={at} y1="1" y2="25" stroke="var(--accent-strong)" strokeWidth="3.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

/** A raw mean on the 1–5 answer scale (un-normed scales have no percentile). */
export function RawMeanBar({ value }: { value: number }) {
  const at = ((Math.max(1, Math.min(5, value)) - 1) / 4) * 100;
  return (
    <svg className="pbar" viewBox="0 0 100 26" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <rect x="0" y="9" width="100" height="8" fill="var(--zone-mid)" />
      <rect x="0" y="9" width={at} height="8" fill="var(--interval)" />
      <line x1={at} x2={at} y1="1" y2="25" stroke="var(--accent-strong)" strokeWidth="3.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
