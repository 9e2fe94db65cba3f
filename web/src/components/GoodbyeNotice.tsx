"use client";

import { useQuery } from "@/lib/useQuery";
import { t } from "@/i18n/en/home";

/** Shown on the landing page after an account was deleted (`/?goodbye=1`). */
export function GoodbyeNotice() {
  const query = useQuery();
  if (query?.get("goodbye") !== "1") return null;
  return (
    <div className="notice notice--ok" role="status" style={{ marginBottom: "1.5rem" }}>
      <p className="notice__title">{t("goodbye.title")}</p>
      <p>{t("goodbye.text")}</p>
    </div>
  );
}
