import { formatNumber } from "@/i18n";
import { t } from "@/i18n/en/report";
import { bandWord, formatBound, formatPercentile, formatRaw } from "./format";
import { PercentileBar, RawMeanBar } from "./PercentileBar";
import { percentileRange } from "./scales";
import type { ScaleScore } from "./types";

interface RowProps {
  scale: ScaleScore;
  /** A facet: indented, its figures on one line. */
  facet?: boolean;
  showT?: boolean;
  /** Shown instead of the scale's label (e.g. "Overall" under the domain's heading). */
  name?: string;
}

export function ScaleRow({ scale, facet = false, showT = false, name }: RowProps) {
  const range = percentileRange(scale);
  const interval = range
    ? t("report.intervalShort", { low: formatBound(range.low), high: formatBound(range.high) })
    : "";
  const tScore =
    showT && scale.t !== null
      ? typeof scale.raw === "number"
        ? t("report.rawAndT", { raw: formatRaw(scale), t: formatNumber(scale.t, 1) })
        : t("report.tOnly", { t: formatNumber(scale.t, 1) })
      : "";
  return (
    <li className={`scale-row${facet ? " scale-row--facet" : ""}`}>
      <div className="scale-row__text">
        <div className="scale-row__name">
          {name ?? scale.label}
          {scale.prorated ? <span className="badge badge--muted">{t("report.prorated")}</span> : null}
        </div>
        <div className="scale-row__figures">
          {range ? (
            <>
              <span className="band-word">{bandWord(scale.band)}</span>
              {" · "}
              {t("report.percentileShort", { percentile: formatPercentile(range.value) })}
              {facet ? " · " : <br />}
              {interval}
              {tScore ? (
                <>
                  {facet ? " · " : <br />}
                  {tScore}
                </>
              ) : null}
            </>
          ) : (
            t("report.rawMean", { raw: formatRaw(scale) })
          )}
        </div>
      </div>
      <div>
        {range ? (
          <PercentileBar value={range.value} low={range.low} high={range.high} />
        ) : typeof scale.raw === "number" ? (
          <RawMeanBar value={scale.raw} />
        ) : null}
      </div>
    </li>
  );
}

export function BarLegend() {
  return (
    <ul className="legend" aria-label={t("report.legend.label")}>
      <li>
        <svg width="8" height="18" aria-hidden="true" focusable="false">
          <rect x="2.5" y="0" width="3.5" height="18" fill="var(--accent-strong)" />
        </svg>
        {t("report.legend.score")}
      </li>
      <li>
        <span className="legend__swatch" style={{ background: "var(--interval)" }} aria-hidden="true" />
        {t("report.legend.interval")}
      </li>
      <li>
        <span className="legend__swatch" style={{ background: "var(--zone-mid)", border: "1px solid var(--border-strong)" }} aria-hidden="true" />
        {t("report.legend.average")}
      </li>
      <li>{t("report.legend.axis")}</li>
    </ul>
  );
}
