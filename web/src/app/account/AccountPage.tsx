"use client";

import { AppLink as Link } from "@/components/AppLink";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { useSession } from "@/auth/session";
import { Loading } from "@/components/Loading";
import { RequireAuth } from "@/components/RequireAuth";
import { formatDate } from "@/i18n";
import { t } from "@/i18n/en/account";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { DataControls } from "./DataControls";
import { DeleteAccount } from "./DeleteAccount";

function planName(plan: string): string {
  if (plan === "pro_monthly") return t("plan.pro_monthly");
  if (plan === "pro_yearly") return t("plan.pro_yearly");
  return t("plan.free");
}

function Account() {
  const session = useSession();
  const router = useRouter();
  const [signingOut, setSigningOut] = useState(false);
  const me = session.me;
  if (!me) return <Loading />;

  async function signOut() {
    setSigningOut(true);
    try {
      await session.signOut();
    } finally {
      router.push("/");
    }
  }

  return (
    <>
      <div className="page-head">
        <h1>{t("account.title")}</h1>
        <p>{t("account.lead")}</p>
      </div>
      <div className="grid grid--2">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title">{t("account.profileTitle")}</h2>
          <dl className="facts">
            <dt>{t("auth.email")}</dt>
            <dd>{me.email}</dd>
            <dt>{t("signup.displayName")}</dt>
            <dd>{me.display_name ?? <span className="muted">{t("account.noName")}</span>}</dd>
            <dt>{t("account.memberSince")}</dt>
            <dd>{formatDate(me.created_at)}</dd>
            <dt>{t("account.plan")}</dt>
            <dd>
              {planName(me.plan)} · <Link href="/account/billing">{t("account.manageBilling")}</Link>
            </dd>
          </dl>
          <p style={{ marginTop: "1.25rem", marginBottom: 0 }}>
            <button type="button" className="button button--secondary" onClick={signOut} disabled={signingOut}>
              {t("account.signOut")}
            </button>
          </p>
        </section>
        <ChangePasswordForm />
      </div>
      <DataControls />
      <DeleteAccount />
    </>
  );
}

export function AccountPage() {
  return (
    <RequireAuth>
      <Account />
    </RequireAuth>
  );
}
