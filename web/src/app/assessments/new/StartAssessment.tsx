"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useEffect, useRef, useState } from "react";

import { useSession } from "@/auth/session";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Loading } from "@/components/Loading";
import { formatDate } from "@/i18n";
import { t } from "@/i18n/en/start";
import {
  loadConsent,
  loadInProgress,
  loadInstruments,
  type AssessmentSummary,
  type InstrumentSummary,
} from "@/lib/assessments";
import { assessmentHref } from "@/lib/navigation";
import { useLoad } from "@/lib/useLoad";
import { useQuery } from "@/lib/useQuery";
import { ConsentStep } from "./ConsentStep";

function instrumentAbout(key: string): string {
  if (key === "mini-ipip") return t("instrument.mini-ipip.about");
  if (key === "ipip-50") return t("instrument.ipip-50.about");
  if (key === "ipip-neo-120") return t("instrument.ipip-neo-120.about");
  return "";
}

function ResumeList({ items, titles }: { items: AssessmentSummary[]; titles: Record<string, string> }) {
  if (!items.length) return null;
  return (
    <section className="card" aria-labelledby="resume-title" style={{ marginBottom: "2rem" }}>
      <h2 id="resume-title" style={{ fontSize: "1.25rem" }}>
        {t("start.resume.title")}
      </h2>
      <ul className="list">
        {items.map((item) => (
          <li key={item.id} className="list-item">
            <div>
              <h3>{titles[item.instrument] ?? item.instrument}</h3>
              <p className="muted small">
                {t("start.resume.progress", {
                  answered: item.answered,
                  total: item.total_items,
                  date: formatDate(item.updated_at),
                })}
              </p>
            </div>
            <a className="button button--small" href={assessmentHref(item.id)}>
              {t("start.resume.continue")}
              <span className="visually-hidden"> {titles[item.instrument] ?? item.instrument}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function StartAssessment() {
  const session = useSession();
  const query = useQuery();
  const instruments = useLoad(loadInstruments, []);
  const consent = useLoad(loadConsent, []);
  const inProgress = useLoad(loadInProgress, [session.status], session.status === "signed_in");
  const [chosen, setChosen] = useState<InstrumentSummary | null>(null);
  const consentHeading = useRef<HTMLHeadingElement>(null);
  const pickerHeading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);

  // ?instrument=<key> (from sign-up or an upgrade) opens its consent step directly, unless
  // the plan does not include it: then the list shows the way to upgrade.
  const { status: sessionStatus, can } = session;
  useEffect(() => {
    if (!query || instruments.status !== "ready" || sessionStatus === "loading") return;
    const wanted = query.get("instrument");
    const match = instruments.data.find((item) => item.key === wanted && !item.add_on);
    const locked = match && match.plan !== "free" && sessionStatus === "signed_in" && !can(`instrument:${match.key}`);
    if (match && !locked) setChosen(match);
  }, [query, instruments.status, instruments.data, sessionStatus, can]);

  useEffect(() => {
    if (!moved.current) return;
    (chosen ? consentHeading.current : pickerHeading.current)?.focus();
  }, [chosen]);

  function choose(item: InstrumentSummary | null) {
    moved.current = true;
    setChosen(item);
    window.scrollTo({ top: 0 });
  }

  if (instruments.status === "loading") return <Loading label={t("start.loading")} />;
  if (instruments.status === "error") return <ErrorNotice error={instruments.error} onRetry={instruments.reload} />;

  const titles = Object.fromEntries(instruments.data.map((item) => [item.key, item.title]));
  // Free first: the questionnaire anyone can take leads.
  const main = instruments.data
    .filter((item) => !item.add_on)
    .sort((a, b) => Number(a.plan !== "free") - Number(b.plan !== "free"));
  const workStyle = instruments.data.find((item) => item.add_on);

  if (chosen) {
    return (
      <ConsentStep
        instrument={chosen}
        workStyle={workStyle ?? null}
        consent={consent}
        headingRef={consentHeading}
        onBack={() => choose(null)}
      />
    );
  }

  return (
    <>
      <div className="page-head">
        <p className="eyebrow">{t("start.eyebrow")}</p>
        <h1 ref={pickerHeading} tabIndex={-1}>
          {t("start.title")}
        </h1>
        <p>{t("start.lead")}</p>
      </div>

      {inProgress.status === "ready" ? <ResumeList items={inProgress.data} titles={titles} /> : null}

      <section aria-labelledby="choose-title">
        <h2 id="choose-title" className="visually-hidden">
          {t("start.chooseTitle")}
        </h2>
        <ul className="choices" style={{ listStyle: "none", padding: 0 }}>
          {main.map((item) => {
            const pro = item.plan !== "free";
            const entitled = session.can(`instrument:${item.key}`);
            const locked = pro && session.status === "signed_in" && !entitled;
            return (
              <li key={item.key} className="card choice">
                <h3>
                  {item.title}
                  {pro ? <span className="badge badge--pro">{t("common.pro")}</span> : <span className="badge badge--free">{t("common.free")}</span>}
                </h3>
                <p className="choice__meta">
                  {t("start.meta", { items: item.item_count, minutes: item.estimated_minutes })}
                </p>
                <p style={{ margin: 0 }}>{instrumentAbout(item.key)}</p>
                <div className="row" style={{ marginTop: "auto", paddingTop: "0.75rem" }}>
                  {locked ? (
                    <>
                      <Link className="button" href={`/account/billing?next=${encodeURIComponent(`/assessments/new?instrument=${item.key}`)}`}>
                        {t("start.upgrade")}
                      </Link>
                      <span className="small muted">{t("start.upgradeNote")}</span>
                    </>
                  ) : (
                    <button type="button" className={pro ? "button button--secondary" : "button"} onClick={() => choose(item)}>
                      {t("start.choose", { title: item.title })}
                    </button>
                  )}
                </div>
                {pro && session.status !== "signed_in" ? (
                  <p className="small muted" style={{ margin: 0 }}>
                    {t("start.proNote")} <Link href="/pricing">{t("start.seePricing")}</Link>
                  </p>
                ) : null}
              </li>
            );
          })}
        </ul>
        <p className="small muted" style={{ marginTop: "1.25rem" }}>
          {t("start.freeForever")} <Link href="/pricing">{t("start.seePricing")}</Link>
        </p>
      </section>
    </>
  );
}
