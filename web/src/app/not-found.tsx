import { AppLink as Link } from "@/components/AppLink";

import { t } from "@/i18n/en/meta";
import { pageMetadata } from "@/lib/metadata";

export const metadata = pageMetadata("meta.notFound.title", "meta.notFound.description", { index: false });

export default function NotFound() {
  return (
    <div className="reading">
      <p className="eyebrow">404</p>
      <h1>{t("notFound.title")}</h1>
      <p className="muted">{t("notFound.text")}</p>
      <div className="row" style={{ marginTop: "1.5rem" }}>
        <Link className="button" href="/">
          {t("notFound.home")}
        </Link>
        <Link className="button button--secondary" href="/reports">
          {t("nav.reports")}
        </Link>
      </div>
    </div>
  );
}
