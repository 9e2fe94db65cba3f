"use client";

import { useEffect } from "react";
import type { ReactNode } from "react";
import { useRouter } from "next/navigation";

import { useSession } from "@/auth/session";
import { ErrorNotice } from "./ErrorNotice";
import { Loading } from "./Loading";
import { currentPathWithQuery } from "@/lib/navigation";
import { t } from "@/i18n/en/common";

/** Renders children for a signed-in person; otherwise sends them to sign in and back. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const router = useRouter();

  useEffect(() => {
    if (session.status === "signed_out" && !session.restoreError) {
      router.replace(`/signin?next=${encodeURIComponent(currentPathWithQuery())}`);
    }
  }, [session.status, session.restoreError, router]);

  if (session.status === "loading") return <Loading label={t("session.restoring")} />;
  if (session.status === "signed_out") {
    if (session.restoreError) {
      return (
        <ErrorNotice
          error={session.restoreError}
          title={t("session.restoreFailed")}
          onRetry={() => window.location.reload()}
        />
      );
    }
    return <Loading label={t("session.redirecting")} />;
  }
  return <>{children}</>;
}
