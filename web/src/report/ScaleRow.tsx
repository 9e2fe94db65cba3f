import { formatNumber } from "@/i18n";
import { t } from "@/i18n/en/report";
import { bandWord, formatPercentile, formatRaw } from "./format";
import { PercentileBar, RawMeanBar } from "./PercentileBar";
import { percentileRange } from "./scales";
import type { ScaleScore } from "./types";

export function scaleFigures(scale: ScaleScore): string {
  const range = percentileRange(scale);
  if (!range) return t("report.rawMean", { raw: formatRaw(scale) });
  return t("report.figures", {
    band: bandWord(scale.band),
    percentile: formatPercentile(range.value),
    low: formatPercentile(range.low),
    high: formatPercentile(range.high),
  });
}

export function ScaleRow({ scale, facet = false, showT = false }: { scale: ScaleScore; facet?: boolean; showT?: boolean }) {
  const range = percentileRange(scale);
  return (
    <li className={`scale-row${facet ? " scale-row--facet" : ""}`}>
      <div>
        <div className="scale-row__name">
          {scale.label}
          {scale.prorated ? <span className="badge badge--muted">{t("report.prorated")}</span> : null}
        </div>
        <div className="scale-row__figures">
          {range ? (
            <>
              <span className="band-word">{bandWord(scale.band)}</span>
              {" · "}
              {t("report.percentileShort", { percentile: formatPercentile(range.value) })}
              <br />
              {t("report.intervalShort", { low: formatPercentile(range.low), high: formatPercentile(range.high) })}
              {showT && scale.t !== null ? (
                <>
                  <br />
                  {t("report.rawAndT", { raw: formatRaw(scale), t: formatNumber(scale.t, 1) })}
                </>
              ) : null}
            </>
          ) : (
            t("report.rawMean", { raw: formatRaw(scale) })
          )}
        </div>
      </div>
      <div>
        {range ? <PercentileBar value={range.value} low={range.low} high={range.high} /> : <RawMeanBar value={scale.raw} />}
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
