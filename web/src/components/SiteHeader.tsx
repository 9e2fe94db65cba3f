"use client";

import { AppLink as Link } from "@/components/AppLink";
import { usePathname } from "next/navigation";

import { useSession } from "@/auth/session";
import { t } from "@/i18n/en/common";
import { Logo } from "./Logo";

function NavLink({ href, children, className }: { href: string; children: string; className?: string }) {
  const pathname = usePathname();
  const current = pathname === href || (href !== "/" && pathname.startsWith(href + "/"));
  return (
    <Link href={href} className={className} aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  );
}

export function SiteHeader() {
  const session = useSession();
  const signedIn = session.status === "signed_in";
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <div className="site-header__inner">
        <Link href="/" className="brand">
          <Logo />
          <span>{t("brand.name")}</span>
        </Link>
        <nav className="site-nav" aria-label={t("nav.label")}>
          <ul>
            <li>
              <NavLink href="/assessments/new">{t("nav.takeTest")}</NavLink>
            </li>
            <li>
              <NavLink href="/pricing">{t("nav.pricing")}</NavLink>
            </li>
            {signedIn ? (
              <>
                <li>
                  <NavLink href="/reports">{t("nav.reports")}</NavLink>
                </li>
                <li>
                  <NavLink href="/account">{t("nav.account")}</NavLink>
                </li>
              </>
            ) : session.status === "signed_out" ? (
              <li>
                <NavLink href="/signin">{t("nav.signIn")}</NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
        {session.status === "signed_out" ? (
          <NavLink href="/signup" className="nav-cta">
            {t("nav.signUp")}
          </NavLink>
        ) : null}
      </div>
    </header>
  );
}

export function BillingBanner() {
  const session = useSession();
  const pathname = usePathname();
  const message = session.me?.billing_banner;
  // The billing page says the same, with the details.
  if (!message || pathname === "/account/billing") return null;
  return (
    <div className="banner banner--warn" role="status">
      {message}{" "}
      <Link href="/account/billing">{t("billing.fixPayment")}</Link>
    </div>
  );
}
