import type { ReactNode } from "react";

import { Loading } from "@/components/Loading";
import { formatDate } from "@/i18n";
import { t } from "@/i18n/en/report";
import { normStatusKey } from "./format";
import { BarLegend, ScaleRow } from "./ScaleRow";
import { domainsInOrder } from "./scales";
import type { ItemInfo, ReportBody } from "./types";

import { preloadable, usePreloaded } from "@/lib/preload";

// Everything below the summary is its own chunk, fetched at once (in parallel with the
// report's data), so the page's first-load JavaScript stays small.
const details = preloadable(() => import("./ReportDetails"));
if (typeof window !== "undefined") void details.start().catch(() => undefined);

interface Props {
  report: ReportBody;
  createdAt: string;
  /** "shared": a public view: scores only, no answers, free text or identity. */
  mode: "owner" | "shared";
  items?: Record<string, ItemInfo>;
  answerLabels?: Record<number, string>;
  freeText?: string | null;
  actions?: ReactNode;
  headerNote?: ReactNode;
}

export function ReportView({ report, createdAt, mode, items = {}, answerLabels = {}, freeText = null, actions, headerNote }: Props) {
  const ReportDetails = usePreloaded(details)?.default;
  const domains = domainsInOrder(report.scales);
  const normStatus = normStatusKey(report.norms.status);
  // A placeholder's label is a long caveat, explained in its own notice below.
  const groupName = normStatus === "placeholder" ? t("norms.placeholderGroup") : (report.norms.group_label ?? "");

  return (
    <article aria-labelledby="report-title">
      <p className="print-only small muted">
        {t("brand.name")} · {t("report.printedFrom")}
      </p>
      <header className="report-head">
        <div>
          <p className="eyebrow">{report.instrument.title}</p>
          <h1 id="report-title">{mode === "shared" ? t("report.sharedTitle") : t("report.title")}</h1>
          <p className="report-meta">
            {t("report.meta", { date: formatDate(createdAt) })}
            {report.norms.group_label ? ` · ${t("report.normsShort", { group: groupName })}` : ""}
          </p>
        </div>
        {actions ? <div className="report-actions">{actions}</div> : null}
      </header>

      {headerNote}

      <div className="notice notice--info">
        <p>
          <strong>{report.disclaimer ?? t("report.disclaimerFallback")}</strong>{" "}
          {t(mode === "owner" ? "report.uncertainty" : "report.uncertaintyShared")}
        </p>
      </div>

      {report.validity && report.validity.overall !== "valid" ? (
        <div className={`notice ${report.validity.overall === "invalid" ? "notice--error" : "notice--warn"}`} style={{ marginTop: "1rem" }}>
          <p className="notice__title">{t("report.validityHeadsUp")}</p>
          <p>
            {t(`validity.overall.${report.validity.overall}`)} <a href="#validity">{t("report.seeValidity")}</a>
          </p>
        </div>
      ) : null}

      <section className="report-section" aria-labelledby="summary-title">
        <h2 id="summary-title">{t("report.summaryTitle")}</h2>
        <p className="muted">
          {report.norms.group_label
            ? t("report.summaryLead", { group: groupName })
            : report.norms.description
              ? t("report.summaryLeadDescribed", { description: report.norms.description })
              : t("report.summaryLeadNoNorms")}
        </p>
        {normStatus === "placeholder" ? (
          <div className="notice notice--warn" style={{ marginBottom: "1rem" }}>
            <p className="notice__title">{t("norms.placeholderTitle")}</p>
            <p>{t("norms.placeholderText")}</p>
          </div>
        ) : null}
        {normStatus === "derived" && !report.norms.sample ? <p className="small muted">{t("norms.derivedText")}</p> : null}
        {report.norms.sample ? (
          <div className="small muted">
            <p>{t("norms.sampleText", { sample: report.norms.sample })}</p>
            {report.norms.caveats?.length ? (
              <ul>
                {report.norms.caveats.map((caveat) => (
                  <li key={caveat}>{caveat}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <ul className="scale-list card" style={{ padding: "0.25rem 1.25rem" }}>
          {domains.map((scale) => (
            <ScaleRow key={scale.key} scale={scale} />
          ))}
        </ul>
        <BarLegend />
      </section>

      {ReportDetails ? (
        <ReportDetails report={report} mode={mode} items={items} answerLabels={answerLabels} freeText={freeText} />
      ) : (
        <Loading />
      )}
    </article>
  );
}
