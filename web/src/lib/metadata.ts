import type { Metadata } from "next";

import { t } from "@/i18n/en/meta";

/** Title and description of a page from the catalog; private pages are kept out of search. */
export function pageMetadata(title: Parameters<typeof t>[0], description: Parameters<typeof t>[0], options: { index?: boolean } = {}): Metadata {
  return {
    title: t(title),
    description: t(description),
    robots: options.index === false ? { index: false, follow: false } : undefined,
  };
}
