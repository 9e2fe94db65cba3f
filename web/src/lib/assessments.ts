import { api, call, type Schemas } from "@/api/client";

export type InstrumentSummary = Schemas["InstrumentSummary"];
export type Instrument = Schemas["InstrumentRead"];
export type Assessment = Schemas["AssessmentRead"];
export type AssessmentSummary = Schemas["AssessmentSummary"];
export type Consent = Schemas["ConsentRead"];

export const WORK_STYLE_KEY = "work-style";
// The API's MAX_FREE_TEXT_CHARS default; an assessment that names its own limit wins.
export const DEFAULT_FREE_TEXT_LIMIT = 5000;

export function freeTextLimit(assessment: Assessment): number {
  const named = (assessment as Assessment & { free_text_max_chars?: unknown }).free_text_max_chars;
  return typeof named === "number" && named > 0 ? named : DEFAULT_FREE_TEXT_LIMIT;
}

const instrumentCache = new Map<string, Promise<Instrument>>();

/** One instrument's items and scales (public, unchanging per version): fetched once per page. */
export function loadInstrument(key: string): Promise<Instrument> {
  let cached = instrumentCache.get(key);
  if (!cached) {
    cached = call(() => api.GET("/v1/instruments/{key}", { params: { path: { key } } }));
    cached.catch(() => instrumentCache.delete(key));
    instrumentCache.set(key, cached);
  }
  return cached;
}

export function loadInstruments(): Promise<InstrumentSummary[]> {
  return call(() => api.GET("/v1/instruments"));
}

export function loadConsent(): Promise<Consent> {
  return call(() => api.GET("/v1/consent"));
}

export async function loadInProgress(): Promise<AssessmentSummary[]> {
  const page = await call(() =>
    api.GET("/v1/assessments", { params: { query: { status: "in_progress", limit: 10, offset: 0 } } }),
  );
  return page.items;
}
