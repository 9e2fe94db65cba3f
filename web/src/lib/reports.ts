import { api, authedFetch, call, type Schemas } from "@/api/client";
import { loadInstrument, WORK_STYLE_KEY } from "./assessments";
import type { ItemInfo, ReportDocument } from "@/report/types";

export type ReportSummary = Schemas["ReportSummary"];
export type Comparison = Schemas["Comparison"];
export type ShareLink = Schemas["ShareLinkRead"];

export async function loadReport(id: string): Promise<ReportDocument> {
  const response = await authedFetch(`/v1/reports/${encodeURIComponent(id)}`);
  return (await response.json()) as ReportDocument;
}

export interface ItemTexts {
  items: Record<string, ItemInfo>;
  answerLabels: Record<number, string>;
}

/** The statements behind a report's narrative (public instrument data), keyed by item id. */
export async function loadItemTexts(instrumentKey: string, withWorkStyle: boolean): Promise<ItemTexts> {
  const keys = [instrumentKey, ...(withWorkStyle ? [WORK_STYLE_KEY] : [])];
  const instruments = await Promise.all(keys.map(loadInstrument));
  const items: Record<string, ItemInfo> = {};
  let position = 0;
  for (const instrument of instruments) {
    for (const item of instrument.items) items[item.id] = { text: item.text, position: ++position };
  }
  const answerLabels = Object.fromEntries((instruments[0]?.answer_scale ?? []).map((option) => [option.value, option.label]));
  return { items, answerLabels };
}

export async function listReports(limit: number, offset: number) {
  return call(() => api.GET("/v1/reports", { params: { query: { limit, offset } } }));
}

export async function deleteReport(id: string): Promise<void> {
  await call(() => api.DELETE("/v1/reports/{report_id}", { params: { path: { report_id: id } } }));
}

export async function createShareLink(id: string, days: number): Promise<ShareLink> {
  return call(() =>
    api.POST("/v1/reports/{report_id}/share", {
      params: { path: { report_id: id } },
      body: { expires_in_days: days },
    }),
  );
}

export async function revokeShareLinks(id: string): Promise<void> {
  await call(() => api.DELETE("/v1/reports/{report_id}/share", { params: { path: { report_id: id } } }));
}

export async function compareReports(a: string, b: string): Promise<Comparison> {
  return call(() =>
    api.GET("/v1/reports/{report_id}/compare/{other_id}", { params: { path: { report_id: a, other_id: b } } }),
  );
}
