"use client";

import { AppLink as Link } from "@/components/AppLink";

import { ErrorNotice } from "@/components/ErrorNotice";
import { Loading } from "@/components/Loading";
import { TableWrap } from "@/components/TableWrap";
import { RequireAuth } from "@/components/RequireAuth";
import { formatDateTime, formatNumber } from "@/i18n";
import { t } from "@/i18n/en/history";
import { reportHref } from "@/lib/navigation";
import { compareReports, loadReport, type Comparison } from "@/lib/reports";
import { useLoad } from "@/lib/useLoad";
import { useQuery } from "@/lib/useQuery";
import { orderByScaleKey } from "@/report/scales";

interface Loaded {
  comparison: Comparison;
  parents: Record<string, string | null>;
}

function signed(value: number, digits: number): string {
  const text = formatNumber(Math.abs(value), digits);
  if (value > 0) return `+${text}`;
  if (value < 0) return `−${text}`;
  return text;
}

function CompareTable({ a, b }: { a: string; b: string }) {
  const loaded = useLoad<Loaded>(async () => {
    const [comparison, later] = await Promise.all([compareReports(a, b), loadReport(a)]);
    // Rows are joined and ordered by scale key (domain, then its facets), never by position.
    const parents: Record<string, string | null> = {};
    for (const scale of later.report.scales) parents[scale.key] = scale.parent;
    for (const scale of later.report.addons["work-style"]?.scales ?? []) parents[scale.key] = "~work-style";
    return { comparison, parents };
  }, [a, b]);

  if (loaded.status === "loading") return <Loading label={t("compare.loading")} />;
  if (loaded.status === "error") {
    return (
      <>
        <ErrorNotice error={loaded.error} onRetry={loaded.error.status >= 500 || loaded.error.isNetwork ? loaded.reload : undefined} />
        {loaded.error.code === "upgrade_required" ? (
          <p>
            <Link href="/pricing">{t("start.seePricing")}</Link>
          </p>
        ) : null}
        <p>
          <Link href="/reports">{t("report.backToHistory")}</Link>
        </p>
      </>
    );
  }
  const { comparison, parents } = loaded.data;
  const rows = orderByScaleKey(comparison.scales, parents);
  const reliableCount = rows.filter((row) => row.reliable).length;

  return (
    <>
      <dl className="facts card" style={{ marginBottom: "1.5rem" }}>
        <dt>{t("compare.earlier")}</dt>
        <dd>
          <a href={reportHref(comparison.earlier_report_id)}>{formatDateTime(comparison.earlier_created_at)}</a>
        </dd>
        <dt>{t("compare.later")}</dt>
        <dd>
          <a href={reportHref(comparison.later_report_id)}>{formatDateTime(comparison.later_created_at)}</a>
        </dd>
        <dt>{t("compare.result")}</dt>
        <dd>{t("compare.summary", { count: reliableCount, total: rows.length })}</dd>
      </dl>
      <TableWrap label={t("compare.caption")}>
        <table>
          <caption>{t("compare.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("table.scale")}</th>
              <th scope="col" className="num">
                {t("compare.colEarlier")}
              </th>
              <th scope="col" className="num">
                {t("compare.colLater")}
              </th>
              <th scope="col" className="num">
                {t("compare.colChange")}
              </th>
              <th scope="col" className="num">
                {t("compare.colRci")}
              </th>
              <th scope="col">{t("compare.colReliable")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const useT = row.earlier_t !== null && row.later_t !== null && row.change_t !== null;
              const facet = (parents[row.key] ?? null) !== null;
              return (
                <tr key={row.key}>
                  <th scope="row" style={{ fontWeight: facet ? 400 : 650, paddingLeft: facet ? "1.75rem" : undefined }}>
                    {row.label}
                  </th>
                  <td className="num">
                    {useT ? `T ${formatNumber(row.earlier_t ?? 0, 1)}` : formatNumber(row.earlier_raw, 2)}
                  </td>
                  <td className="num">{useT ? `T ${formatNumber(row.later_t ?? 0, 1)}` : formatNumber(row.later_raw, 2)}</td>
                  <td className="num">{useT ? signed(row.change_t ?? 0, 1) : signed(row.change_raw, 2)}</td>
                  <td className="num">{signed(row.reliable_change_index, 2)}</td>
                  <td>
                    {row.reliable ? (
                      <span className="change-yes">
                        <span className="arrow" aria-hidden="true">
                          {row.change_raw > 0 ? "▲ " : "▼ "}
                        </span>
                        {row.change_raw > 0 ? t("compare.reliableUp") : t("compare.reliableDown")}
                      </span>
                    ) : (
                      <span className="muted">{t("compare.withinError")}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
      {comparison.not_compared.length ? (
        <p className="small muted" style={{ marginTop: "1rem" }}>
          {t("compare.notCompared", { scales: comparison.not_compared.join(", ") })}
        </p>
      ) : null}
      <section className="report-section" aria-labelledby="compare-method">
        <h2 id="compare-method">{t("compare.methodTitle")}</h2>
        <p className="reading">{comparison.method}</p>
        <p className="small muted reading">{comparison.citation}</p>
      </section>
    </>
  );
}

function Compare() {
  const query = useQuery();
  if (!query) return <Loading />;
  const a = query.get("a");
  const b = query.get("b");
  return (
    <>
      <p>
        <Link href="/reports">← {t("report.backToHistory")}</Link>
      </p>
      <div className="page-head">
        <h1>{t("compare.title")}</h1>
        <p>{t("compare.lead")}</p>
      </div>
      {a && b ? (
        <CompareTable a={a} b={b} />
      ) : (
        <div className="notice notice--warn" role="alert">
          <p>{t("compare.missing")}</p>
          <Link href="/reports">{t("report.backToHistory")}</Link>
        </div>
      )}
    </>
  );
}

export function ComparePage() {
  return (
    <RequireAuth>
      <Compare />
    </RequireAuth>
  );
}
