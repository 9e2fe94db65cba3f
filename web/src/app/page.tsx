import { AppLink as Link } from "@/components/AppLink";

import { GoodbyeNotice } from "@/components/GoodbyeNotice";
import { t } from "@/i18n/en/home";
import { pageMetadata } from "@/lib/metadata";

export const metadata = pageMetadata("meta.home.title", "meta.home.description");

function HeroArt() {
  // A sketch of a report row: a score, its 95 % interval and the band zones.
  const rows = [
    { label: t("domain.O"), value: 72, low: 58, high: 83 },
    { label: t("domain.C"), value: 46, low: 31, high: 61 },
    { label: t("domain.E"), value: 28, low: 16, high: 43 },
    { label: t("domain.A"), value: 64, low: 48, high: 77 },
    { label: t("domain.N"), value: 38, low: 24, high: 54 },
  ];
  return (
    <figure className="card hero__art" aria-labelledby="hero-art-caption">
      <p className="eyebrow" id="hero-art-caption">
        {t("home.art.caption")}
      </p>
      <ul className="scale-list">
        {rows.map((row) => (
          <li key={row.label} className="scale-row hero-row">
            <span className="scale-row__name">{row.label}</span>
            <svg className="pbar" viewBox="0 0 100 26" preserveAspectRatio="none" aria-hidden="true">
              <rect x="0" y="9" width="100" height="8" rx="1" fill="var(--zone-mid)" />
              <rect x={row.low} y="6" width={row.high - row.low} height="14" rx="1" fill="var(--interval)" />
              <line x1={row.value} x2={row.value} y1="2" y2="24" stroke="var(--accent-strong)" strokeWidth="3" vectorEffect="non-scaling-stroke" />
            </svg>
          </li>
        ))}
      </ul>
      <p className="small muted" style={{ marginTop: "0.75rem" }}>
        {t("home.art.legend")}
      </p>
    </figure>
  );
}

export default function HomePage() {
  return (
    <>
      <GoodbyeNotice />
      <section className="hero" aria-labelledby="hero-title">
        <div>
          <p className="eyebrow">{t("home.eyebrow")}</p>
          <h1 id="hero-title">{t("home.title")}</h1>
          <p className="hero__lead">{t("home.lead")}</p>
          <div className="row" style={{ marginTop: "1.5rem" }}>
            <Link className="button" href="/assessments/new">
              {t("home.ctaStart")}
            </Link>
            <Link className="button button--secondary" href="/pricing">
              {t("home.ctaPricing")}
            </Link>
          </div>
          <p className="small muted" style={{ marginTop: "1rem" }}>
            {t("home.ctaNote")}
          </p>
        </div>
        <HeroArt />
      </section>

      <section className="section" aria-labelledby="how-title">
        <h2 id="how-title">{t("home.how.title")}</h2>
        <ol className="steps">
          <li>
            <h3>{t("home.how.1.title")}</h3>
            <p>{t("home.how.1.text")}</p>
          </li>
          <li>
            <h3>{t("home.how.2.title")}</h3>
            <p>{t("home.how.2.text")}</p>
          </li>
          <li>
            <h3>{t("home.how.3.title")}</h3>
            <p>{t("home.how.3.text")}</p>
          </li>
        </ol>
      </section>

      <section className="section grid grid--2" aria-label={t("home.isIsNot.label")}>
        <div className="card">
          <h2>{t("home.is.title")}</h2>
          <ul className="checklist">
            <li>{t("home.is.1")}</li>
            <li>{t("home.is.2")}</li>
            <li>{t("home.is.3")}</li>
            <li>{t("home.is.4")}</li>
          </ul>
        </div>
        <div className="card">
          <h2>{t("home.isNot.title")}</h2>
          <ul className="crosslist">
            <li>{t("home.isNot.1")}</li>
            <li>{t("home.isNot.2")}</li>
            <li>{t("home.isNot.3")}</li>
            <li>{t("home.isNot.4")}</li>
          </ul>
        </div>
      </section>

      <section className="section" id="privacy" aria-labelledby="privacy-title">
        <h2 id="privacy-title">{t("home.privacy.title")}</h2>
        <div className="grid grid--3">
          <div className="card">
            <h3>{t("home.privacy.1.title")}</h3>
            <p>{t("home.privacy.1.text")}</p>
          </div>
          <div className="card">
            <h3>{t("home.privacy.2.title")}</h3>
            <p>{t("home.privacy.2.text")}</p>
          </div>
          <div className="card">
            <h3>{t("home.privacy.3.title")}</h3>
            <p>{t("home.privacy.3.text")}</p>
          </div>
        </div>
      </section>

      <section className="section card" aria-labelledby="start-title">
        <div className="row row--between">
          <div className="reading">
            <h2 id="start-title">{t("home.final.title")}</h2>
            <p className="muted" style={{ margin: 0 }}>
              {t("home.final.text")}
            </p>
          </div>
          <Link className="button" href="/assessments/new">
            {t("home.ctaStart")}
          </Link>
        </div>
      </section>
    </>
  );
}
