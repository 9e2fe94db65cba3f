import { t } from "@/i18n/en/common";

export interface FieldProblem {
  field: string;
  message: string;
}

/** An API error envelope `{"error": {code, message, request_id, details?}}`, or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: Record<string, unknown>;
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId?: string | null;
    details?: Record<string, unknown>;
    retryAfterSeconds?: number | null;
  }) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.details = init.details ?? {};
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }

  /** Field name → message, from a 422's `details.fields` (e.g. `email`, `password`). */
  get fields(): Record<string, string> {
    const result: Record<string, string> = {};
    const fields = this.details.fields;
    if (Array.isArray(fields)) {
      for (const entry of fields as unknown[]) {
        if (entry && typeof entry === "object") {
          const { field, message } = entry as Partial<FieldProblem>;
          if (typeof field === "string" && typeof message === "string" && !(field in result)) {
            result[field] = message;
          }
        }
      }
    }
    return result;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Builds an ApiError from a response and its parsed body (whatever shape it has). */
export function errorFromResponse(response: Response, body: unknown): ApiError {
  const retryHeader = Number(response.headers.get("Retry-After"));
  const envelope = isRecord(body) && isRecord(body.error) ? body.error : null;
  const details = envelope && isRecord(envelope.details) ? envelope.details : {};
  const retryDetail = Number(details.retry_after_seconds);
  const retryAfter = Number.isFinite(retryDetail) && retryDetail > 0
    ? retryDetail
    : Number.isFinite(retryHeader) && retryHeader > 0
      ? retryHeader
      : null;
  const message =
    envelope && typeof envelope.message === "string" && envelope.message
      ? envelope.message
      : t("error.unexpected", { status: response.status });
  return new ApiError({
    status: response.status,
    code: envelope && typeof envelope.code === "string" ? envelope.code : "http_" + response.status,
    message,
    requestId:
      (envelope && typeof envelope.request_id === "string" ? envelope.request_id : null) ??
      response.headers.get("X-Request-ID"),
    details,
    retryAfterSeconds: retryAfter,
  });
}

export function networkError(cause: unknown): ApiError {
  const error = new ApiError({ status: 0, code: "network_error", message: t("error.network") });
  (error as { cause?: unknown }).cause = cause;
  return error;
}

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({
    status: 0,
    code: "client_error",
    message: error instanceof Error && error.message ? error.message : t("error.generic"),
  });
}
