import { api, call, type Schemas } from "@/api/client";

export type RewriteStatus = Schemas["RewriteStatus"];
export type Rewrite = Schemas["RewriteRead"];

export async function loadRewriteStatus(reportId: string): Promise<RewriteStatus> {
  return call(() => api.GET("/v1/reports/{report_id}/rewrite", { params: { path: { report_id: reportId } } }));
}

/** Asks for the rewrite with the consent the person just gave to `status`'s text. */
export async function createRewrite(reportId: string, status: RewriteStatus): Promise<Rewrite> {
  return call(() =>
    api.POST("/v1/reports/{report_id}/rewrite", {
      params: { path: { report_id: reportId } },
      body: { consent: true, consent_version: status.consent_version, endpoint_host: status.endpoint_host },
    }),
  );
}

export async function deleteRewrite(reportId: string): Promise<void> {
  await call(() => api.DELETE("/v1/reports/{report_id}/rewrite", { params: { path: { report_id: reportId } } }));
}
