"use client";

import type { ApiError } from "@/api/errors";
import { t } from "@/i18n/en/common";

interface Props {
  error: ApiError;
  title?: string;
  onRetry?: () => void;
  retryLabel?: string;
}

/** The API's message in plain words (never raw JSON), when to retry after a 429, the request id. */
export function ErrorNotice({ error, title, onRetry, retryLabel }: Props) {
  const wait = error.retryAfterSeconds;
  return (
    <div className="notice notice--error" role="alert">
      {title ? <p className="notice__title">{title}</p> : null}
      <p>{error.message}</p>
      {error.status === 429 && wait ? <p>{retryAfterText(wait)}</p> : null}
      {error.status === 503 && wait ? <p>{retryAfterText(wait)}</p> : null}
      {onRetry ? (
        <p>
          <button type="button" className="button button--secondary button--small" onClick={onRetry}>
            {retryLabel ?? t("common.retry")}
          </button>
        </p>
      ) : null}
      {error.requestId ? (
        <p className="request-id">{t("error.requestId", { id: error.requestId })}</p>
      ) : null}
    </div>
  );
}

export function retryAfterText(seconds: number): string {
  if (seconds < 90) return t("error.retryInSeconds", { seconds: Math.ceil(seconds) });
  const at = new Date(Date.now() + seconds * 1000);
  const time = new Intl.DateTimeFormat("en", { timeStyle: "short" }).format(at);
  return t("error.retryAt", { minutes: Math.ceil(seconds / 60), time });
}
