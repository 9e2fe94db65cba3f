import { Fragment } from "react";
import type { ReactNode } from "react";

import { TableWrap } from "@/components/TableWrap";
import { formatNumber } from "@/i18n";
import { t } from "@/i18n/en/reportDetails";
import { bandWord, formatBound, formatPercentile, formatRaw, normStatusKey } from "./format";
import { domainsInOrder, facetsOf, percentileRange } from "./scales";
import type { ItemInfo, NarrativeStatement, ReportBody, ScaleScore, Validity, Verdict } from "./types";

const VERDICT_KEYS: Record<Verdict, Parameters<typeof t>[0]> = {
  ok: "verdict.ok",
  caution: "verdict.caution",
  invalid: "verdict.invalid",
  not_computable: "verdict.not_computable",
  not_available: "verdict.not_available",
};

export function verdictWord(verdict: Verdict): string {
  const key = VERDICT_KEYS[verdict];
  return key ? t(key) : verdict;
}

export function verdictClass(verdict: Verdict): string {
  if (verdict === "ok") return "verdict--ok";
  if (verdict === "caution") return "verdict--caution";
  if (verdict === "invalid") return "verdict--invalid";
  return "verdict--na";
}

/** A symbol beside the verdict word, so colour is never the only signal. */
export function verdictSymbol(verdict: Verdict): string {
  if (verdict === "ok") return "✓";
  if (verdict === "caution") return "!";
  if (verdict === "invalid") return "✕";
  return "–";
}

const INDEX_KEYS: Record<string, Parameters<typeof t>[0]> = {
  longstring: "validity.index.longstring",
  irv: "validity.index.irv",
  synonym_consistency: "validity.index.synonym_consistency",
  antonym_consistency: "validity.index.antonym_consistency",
  response_time: "validity.index.response_time",
  even_odd: "validity.index.even_odd",
  person_total: "validity.index.person_total",
  mahalanobis: "validity.index.mahalanobis",
  inter_item_sd: "validity.index.inter_item_sd",
};

export function indexName(name: string): string {
  const key = INDEX_KEYS[name];
  return key ? t(key) : name.replace(/_/g, " ");
}

const KIND_KEYS: Record<string, Parameters<typeof t>[0]> = {
  note: "kind.note",
  hypothesis: "kind.hypothesis",
  strength: "kind.strength",
  suggestion: "kind.suggestion",
};

export function kindWord(kind: string): string {
  const key = KIND_KEYS[kind];
  return key ? t(key) : kind;
}


/** Every scored scale as a table: the text equivalent of the bars. */
export function ScoreTable({ scales, caption }: { scales: ScaleScore[]; caption: string }) {
  const ordered = domainsInOrder(scales).flatMap((domain) => [domain, ...facetsOf(scales, domain.key)]);
  return (
    <TableWrap label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("table.scale")}</th>
            <th scope="col">{t("table.band")}</th>
            <th scope="col" className="num">
              {t("table.percentile")}
            </th>
            <th scope="col" className="num">
              {t("table.interval")}
            </th>
            <th scope="col" className="num">
              {t("table.t")}
            </th>
            <th scope="col" className="num">
              {t("table.raw")}
            </th>
          </tr>
        </thead>
        <tbody>
          {ordered.map((scale) => {
            const range = percentileRange(scale);
            return (
              <tr key={scale.key}>
                <th scope="row" style={{ fontWeight: scale.parent ? 400 : 650, paddingLeft: scale.parent ? "1.75rem" : undefined }}>
                  {scale.label}
                </th>
                <td>{bandWord(scale.band)}</td>
                <td className="num">{range ? formatPercentile(range.value) : "—"}</td>
                <td className="num">{range ? `${formatBound(range.low)}–${formatBound(range.high)}` : "—"}</td>
                <td className="num">
                  {scale.t !== null ? formatNumber(scale.t, 1) : "—"}
                  {scale.interval ? (
                    <span className="muted">
                      {" "}
                      ({formatNumber(scale.interval.t_low, 1)}–{formatNumber(scale.interval.t_high, 1)})
                    </span>
                  ) : null}
                </td>
                <td className="num">{formatRaw(scale)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

function VerdictLabel({ verdict }: { verdict: Verdict }) {
  return (
    <span className={`verdict ${verdictClass(verdict)}`}>
      <span aria-hidden="true">{verdictSymbol(verdict)}</span> {verdictWord(verdict)}
    </span>
  );
}

export function ValidityPanel({ validity, citations }: { validity: Validity; citations: Record<string, string> }) {
  const overallVerdict: Verdict = validity.overall === "valid" ? "ok" : validity.overall;
  return (
    <>
      <div className={`notice ${validity.overall === "valid" ? "notice--ok" : validity.overall === "caution" ? "notice--warn" : "notice--error"}`}>
        <p className="notice__title">
          <VerdictLabel verdict={overallVerdict} />
        </p>
        <p>{t(`validity.overall.${validity.overall}`)}</p>
      </div>
      <ul className="validity-list" style={{ marginTop: "1rem" }}>
        {validity.indices.map((index) => (
          <li key={index.name}>
            <div className="row row--between">
              <strong>{indexName(index.name)}</strong>
              <VerdictLabel verdict={index.verdict} />
            </div>
            <p>{index.detail}</p>
            <p className="small muted">
              {t("validity.threshold", { threshold: index.threshold })}
              {index.citations.length ? (
                <>
                  {" "}
                  {t("validity.sources", {
                    sources: index.citations.map((key) => shortCitation(citations[key] ?? key)).join("; "),
                  })}
                </>
              ) : null}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}

/** "Johnson, J. A. (2005). Ascertaining…" → "Johnson (2005)". */
export function shortCitation(full: string): string {
  const year = /\((\d{4}[a-z]?)\)/.exec(full);
  if (!year) return full.split(/[.:(]/)[0]?.trim() ?? full;
  const authors = full.slice(0, year.index);
  const surnames = Array.from(authors.matchAll(/([A-Z][A-Za-z'\u2019-]+),\s+(?:[A-Z]\.\s?-?)+/g), (match) => match[1]);
  const [first, second] = surnames;
  if (!first) return `${authors.trim()} (${year[1]})`;
  const names = surnames.length > 2 ? `${first} et al.` : second ? `${first} & ${second}` : first;
  return `${names} (${year[1]})`;
}

function NarrativeStatementView({
  statement,
  byKey,
  items,
  answers,
  answerLabels,
}: {
  statement: NarrativeStatement;
  byKey: Record<string, ScaleScore>;
  items: Record<string, ItemInfo>;
  answers: Record<string, number> | null;
  answerLabels: Record<number, string>;
}) {
  const evidenceScales = statement.evidence.scales.map((key) => byKey[key]).filter((s): s is ScaleScore => Boolean(s));
  const evidenceItems = answers ? statement.evidence.items.filter((id) => items[id]) : [];
  if (!evidenceScales.length && !evidenceItems.length) {
    return (
      <div className="statement">
        <div className="statement__plain">
          <span className="kind">{kindWord(statement.kind)}</span>
          <span>{statement.text}</span>
        </div>
      </div>
    );
  }
  return (
    <details className="statement">
      <summary>
        <span className="kind">{kindWord(statement.kind)}</span>
        <span>
          {statement.text}
          <span className="visually-hidden"> — {t("narrative.showEvidence")}</span>
        </span>
      </summary>
      <div className="statement__body">
        {evidenceScales.length ? (
          <>
            <h4>{t("narrative.scales")}</h4>
            <ul>
              {evidenceScales.map((scale) => {
                const range = percentileRange(scale);
                return (
                  <li key={scale.key}>
                    <strong>{scale.label}</strong>:{" "}
                    {range
                      ? t("report.figures", {
                          band: bandWord(scale.band),
                          percentile: formatPercentile(range.value),
                          low: formatBound(range.low),
                          high: formatBound(range.high),
                        })
                      : t("report.rawMean", { raw: formatRaw(scale) })}
                  </li>
                );
              })}
            </ul>
          </>
        ) : null}
        {evidenceItems.length && answers ? (
          <>
            <h4>{t("narrative.items")}</h4>
            <ul>
              {evidenceItems.map((id) => {
                const value = answers[id];
                return (
                  <li key={id}>
                    “{items[id]?.text}” —{" "}
                    <span className="muted">
                      {t("narrative.youAnswered", {
                        answer: value !== undefined ? (answerLabels[value] ?? String(value)) : t("narrative.notAnswered"),
                      })}
                    </span>
                  </li>
                );
              })}
            </ul>
          </>
        ) : null}
      </div>
    </details>
  );
}

/** Statements grouped by the scale they are about (notes first), each open to its evidence. */
export function NarrativeList({
  statements,
  scales,
  items,
  answers,
  answerLabels,
}: {
  statements: NarrativeStatement[];
  scales: ScaleScore[];
  items: Record<string, ItemInfo>;
  answers: Record<string, number> | null;
  answerLabels: Record<number, string>;
}) {
  const byKey = Object.fromEntries(scales.map((scale) => [scale.key, scale]));
  const groups: { key: string; scale: ScaleScore | null; statements: NarrativeStatement[] }[] = [];
  for (const statement of statements) {
    const first = statement.evidence.scales[0];
    // A facet's statement belongs with its domain.
    const scale = first ? (byKey[first] ?? null) : null;
    const home = scale?.parent ? (byKey[scale.parent] ?? scale) : scale;
    const key = home?.key ?? "~general";
    let group = groups.find((entry) => entry.key === key);
    if (!group) {
      group = { key, scale: home, statements: [] };
      groups.push(group);
    }
    group.statements.push(statement);
  }
  const order = [...domainsInOrder(scales).map((scale) => scale.key)];
  const rank = (key: string) => (key === "~general" ? -1 : order.indexOf(key) === -1 ? order.length : order.indexOf(key));
  groups.sort((a, b) => rank(a.key) - rank(b.key));
  return (
    <div>
      {groups.map((group) => (
        <div key={group.key} className="narrative-group">
          {group.scale ? (
            <h3>
              {group.scale.label}
              {group.scale.band ? <span className="muted small"> · {bandWord(group.scale.band)}</span> : null}
            </h3>
          ) : null}
          {group.statements.map((statement, index) => (
            <NarrativeStatementView
              key={index}
              statement={statement}
              byKey={byKey}
              items={items}
              answers={answers}
              answerLabels={answerLabels}
            />
          ))}
        </div>
      ))}
    </div>
  );
}

export function MethodPanel({ report }: { report: ReportBody }) {
  const method = report.method ?? {};
  const cutoffs = method.band_cutoffs as { low_below_t?: number; high_above_t?: number } | undefined;
  const norms = report.norms;
  const normsName = norms.group_label ?? norms.description ?? t("method.noNorms");
  const rows: [string, ReactNode][] = [
    [t("method.instrument"), `${report.instrument.title} (${t("method.version", { version: report.instrument.version })})`],
    [t("method.norms"), `${normsName}${norms.version ? ` · ${norms.version}` : ""}`],
  ];
  if (norms.status) {
    const status = t(`norms.status.${normStatusKey(norms.status)}`);
    rows.push([t("method.normsStatus"), norms.reason ? `${status} — ${norms.reason}` : status]);
  }
  if (cutoffs?.low_below_t !== undefined && cutoffs.high_above_t !== undefined) {
    rows.push([t("method.bands"), t("method.bandsText", { low: cutoffs.low_below_t, high: cutoffs.high_above_t })]);
  }
  if (typeof method.interval_level === "number") {
    rows.push([t("method.interval"), t("method.intervalText", { level: Math.round(method.interval_level * 100) })]);
  }
  if (typeof method.pro_rating === "string") rows.push([t("method.missing"), method.pro_rating]);
  if (typeof method.combined_norm_rule === "string") rows.push([t("method.combined"), method.combined_norm_rule]);
  rows.push([t("method.engine"), report.engine_version]);
  return (
    <dl className="facts">
      {rows.map(([term, value]) => (
        <Fragment key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function RawLegend() {
  return (
    <ul className="legend" aria-label={t("report.legend.label")}>
      <li>{t("report.legend.raw")}</li>
    </ul>
  );
}
