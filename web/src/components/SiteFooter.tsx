import { AppLink as Link } from "@/components/AppLink";

import { t } from "@/i18n/en/common";

export function SiteFooter() {
  return (
    <footer className="site-footer">
      <div className="site-footer__inner">
        <ul>
          <li>
            <Link href="/">{t("brand.name")}</Link>
          </li>
          <li>
            <Link href="/pricing">{t("nav.pricing")}</Link>
          </li>
          <li>
            <Link href="/#privacy">{t("footer.privacy")}</Link>
          </li>
          <li>
            <Link href="/account">{t("nav.account")}</Link>
          </li>
        </ul>
        <p>{t("footer.notDiagnosis")}</p>
        <p>{t("footer.noTrackers")}</p>
      </div>
    </footer>
  );
}
