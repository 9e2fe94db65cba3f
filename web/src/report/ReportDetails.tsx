"use client";

import { useEffect } from "react";

import { Loading } from "@/components/Loading";
import { preloadable, usePreloaded } from "@/lib/preload";
import { t } from "@/i18n/en/reportDetails";
import { MethodPanel, NarrativeList, RawLegend, ScoreTable, ValidityPanel } from "./sections";
import { ScaleRow } from "./ScaleRow";
import { domainsInOrder, facetsOf } from "./scales";
import type { ItemInfo, ReportBody } from "./types";

// Only reports with free text have signals: their code and strings load when needed.
const signalsPanel = preloadable(() => import("./TextSignalsPanel"));

interface Props {
  report: ReportBody;
  mode: "owner" | "shared";
  items: Record<string, ItemInfo>;
  answerLabels: Record<number, string>;
  freeText: string | null;
}

/** The report below its summary: every scale, work style, narrative, validity, method, sources. */
export default function ReportDetails({ report, mode, items, answerLabels, freeText }: Props) {
  const domains = domainsInOrder(report.scales);
  const hasFacets = report.scales.some((scale) => scale.parent !== null);
  const workStyle = report.addons["work-style"];
  const citations = report.citations ?? {};
  const answers = mode === "owner" ? (report.answers ?? null) : null;
  const showSignals = mode === "owner" && Boolean(report.text_signals);
  const TextSignalsPanel = usePreloaded(signalsPanel, showSignals)?.default;
  const complete = !showSignals || Boolean(TextSignalsPanel);

  useEffect(() => {
    // The whole report is on screen: the browser tests read this mark.
    if (complete) performance.mark("report-ready");
  }, [complete]);

  return (
    <>
      <section className="report-section" aria-labelledby="details-title">
        <h2 id="details-title">{t("report.detailsTitle")}</h2>
        <p className="muted reading">{t(hasFacets ? "report.detailsLeadFacets" : "report.detailsLead")}</p>
        {!hasFacets ? (
          <ul className="scale-list card" style={{ padding: "0.25rem 1.25rem" }}>
            {domains.map((domain) => (
              <ScaleRow key={domain.key} scale={domain} showT />
            ))}
          </ul>
        ) : null}
        {(hasFacets ? domains : []).map((domain) => {
          const facets = facetsOf(report.scales, domain.key);
          return (
            <section key={domain.key} className="domain" aria-labelledby={`domain-${domain.key}`}>
              <h3 id={`domain-${domain.key}`}>{domain.label}</h3>
              <ul className="scale-list card" style={{ padding: "0.25rem 1.25rem" }}>
                <ScaleRow scale={domain} showT name={t("report.domainOverall")} />
                {facets.map((facet) => (
                  <ScaleRow key={facet.key} scale={facet} facet showT />
                ))}
              </ul>
            </section>
          );
        })}
        {report.unscored_scales.length ? (
          <div className="notice notice--warn" style={{ marginTop: "1.25rem" }}>
            <p className="notice__title">{t("report.unscoredTitle")}</p>
            <ul style={{ margin: 0 }}>
              {report.unscored_scales.map((scale) => (
                <li key={scale.key}>
                  <strong>{scale.label}</strong>: {scale.reason}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {report.scales.some((scale) => scale.prorated) ? <p className="small muted">{t("report.proratedNote")}</p> : null}
        <details className="details-toggle" style={{ marginTop: "1.25rem" }}>
          <summary>{t("report.tableToggle")}</summary>
          <ScoreTable scales={report.scales} caption={t("report.tableCaption", { group: report.norms.group_label ?? t("method.noNorms") })} />
        </details>
      </section>

      {workStyle && workStyle.scales.length ? (
        <section className="report-section" aria-labelledby="workstyle-title">
          <h2 id="workstyle-title">{t("report.workStyleTitle")}</h2>
          <p className="muted reading">{t(mode === "owner" ? "report.workStyleLead" : "report.workStyleLeadShared")}</p>
          <ul className="scale-list card" style={{ padding: "0.25rem 1.25rem" }}>
            {workStyle.scales.map((scale) => (
              <ScaleRow key={scale.key} scale={scale} />
            ))}
          </ul>
          <RawLegend />
        </section>
      ) : null}

      {report.narrative && report.narrative.statements.length ? (
        <section className="report-section report-section--break" aria-labelledby="narrative-title">
          <h2 id="narrative-title">{t("report.narrativeTitle")}</h2>
          <p className="muted reading">{t(mode === "owner" ? "report.narrativeLead" : "report.narrativeLeadShared")}</p>
          <NarrativeList
            statements={report.narrative.statements}
            scales={[...report.scales, ...(workStyle?.scales ?? [])]}
            items={items}
            answers={answers}
            answerLabels={answerLabels}
          />
        </section>
      ) : null}

      {report.validity ? (
        <section className="report-section" id="validity" aria-labelledby="validity-title">
          <h2 id="validity-title">{t("report.validityTitle")}</h2>
          <p className="muted reading">{t("report.validityLead")}</p>
          <ValidityPanel validity={report.validity} citations={citations} />
        </section>
      ) : null}

      {showSignals && report.text_signals ? (
        <section className="report-section" aria-labelledby="signals-title">
          <h2 id="signals-title">{t("report.signalsTitle")}</h2>
          {TextSignalsPanel ? <TextSignalsPanel signals={report.text_signals} freeText={freeText} /> : <Loading />}
        </section>
      ) : null}

      <section className="report-section" aria-labelledby="method-title">
        <h2 id="method-title">{t("report.methodTitle")}</h2>
        <MethodPanel report={report} />
      </section>

      {Object.keys(citations).length ? (
        <section className="report-section" aria-labelledby="sources-title">
          <h2 id="sources-title">{t("report.sourcesTitle")}</h2>
          <ol className="citations">
            {Object.entries(citations)
              .sort(([, a], [, b]) => a.localeCompare(b))
              .map(([key, text]) => (
                <li key={key}>{text}</li>
              ))}
          </ol>
        </section>
      ) : null}

      <section className="disclaimer" aria-labelledby="disclaimer-title">
        <h2 id="disclaimer-title" style={{ fontSize: "1.15rem" }}>
          {t("report.disclaimerTitle")}
        </h2>
        <p>
          <strong>{report.disclaimer ?? t("report.disclaimerFallback")}</strong>
        </p>
        <p>{t(mode === "owner" ? "report.disclaimerMore" : "report.disclaimerMoreShared")}</p>
      </section>
    </>
  );
}
