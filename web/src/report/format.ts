import { formatNumber } from "@/i18n";
import { t } from "@/i18n/en/report";
import { ordinal } from "./scales";
import type { Band, ScaleScore } from "./types";

export function formatPercentile(value: number): string {
  if (value < 1) return t("report.belowFirst");
  if (value > 99) return t("report.aboveNinetyNinth");
  return ordinal(value);
}

/** An interval's end: "1st" and "99th" at the extremes (the interval says the rest). */
export function formatBound(value: number): string {
  return ordinal(Math.min(99, Math.max(1, value)));
}

export function bandWord(band: Band | null): string {
  if (band === "low") return t("band.low");
  if (band === "high") return t("band.high");
  if (band === "average") return t("band.average");
  return t("band.none");
}

export function formatRaw(scale: ScaleScore): string {
  if (typeof scale.raw !== "number") return "—";
  return formatNumber(scale.raw, Number.isInteger(scale.raw) ? 0 : 2);
}

export function normStatusKey(status: string | undefined): "published" | "derived" | "placeholder" | "none" {
  if (status === "published" || status === "derived" || status === "placeholder") return status;
  return "none";
}
