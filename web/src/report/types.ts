/**
 * The report body as the engine computes it (docs/ASSESSMENT.md, "Report JSON"). The API
 * returns it verbatim, so OpenAPI describes it only as JSON; these types mirror the doc.
 */

export type Band = "low" | "average" | "high";

export interface ScaleInterval {
  level: number;
  alpha: number;
  alpha_status: string;
  sem_raw?: number;
  sem_t: number;
  raw_low?: number;
  raw_high?: number;
  t_low: number;
  t_high: number;
}

export interface ScaleScore {
  key: string;
  label: string;
  kind: string;
  parent: string | null;
  /** Left out of shared reports for normed scales (with T it would reveal the norm group). */
  raw?: number | null;
  items_answered: number;
  items_total: number;
  prorated: boolean;
  t: number | null;
  percentile: number | null;
  band: Band | null;
  interval: ScaleInterval | null;
}

export interface UnscoredScale {
  key: string;
  label: string;
  reason: string;
}

/** The owner's report names the group and why; a shared report only describes it. */
export interface Norms {
  version: string | null;
  group_id?: string | null;
  group_label?: string | null;
  status?: string;
  reason?: string;
  description?: string;
  /** Derived norms only: the sample they come from and what to keep in mind. */
  sample?: string;
  caveats?: string[];
}

export interface InstrumentRef {
  key: string;
  version: string;
  title: string;
  normed: boolean;
}

export interface AddonReport {
  instrument: InstrumentRef;
  norms: Norms;
  scales: ScaleScore[];
  unscored_scales?: UnscoredScale[];
}

export type Verdict = "ok" | "caution" | "invalid" | "not_computable" | "not_available";

export interface ValidityIndex {
  name: string;
  value: number | null;
  threshold: string;
  verdict: Verdict;
  citations: string[];
  detail: string;
}

export interface Validity {
  overall: "valid" | "caution" | "invalid";
  reasons: string[];
  indices: ValidityIndex[];
}

export interface TextSignal {
  name: string;
  value: number;
  meaning: string;
  evidence: string[];
}

export interface TextSignals {
  label: string;
  char_count: number;
  word_count: number;
  sentence_count: number;
  signals: TextSignal[];
  resources?: Record<string, unknown>;
}

export interface NarrativeStatement {
  kind: "note" | "hypothesis" | "strength" | "suggestion" | string;
  text: string;
  evidence: { scales: string[]; items: string[] };
}

export interface ReportBody {
  engine_version: string;
  instrument: InstrumentRef;
  norms: Norms;
  scales: ScaleScore[];
  unscored_scales: UnscoredScale[];
  addons: Record<string, AddonReport>;
  answers?: Record<string, number>;
  demographics?: { sex?: string; age?: number };
  validity?: Validity;
  text_signals?: TextSignals | null;
  narrative?: { version: string; statements: NarrativeStatement[] };
  method?: Record<string, unknown>;
  citations?: Record<string, string>;
  disclaimer?: string;
}

export interface ReportDocument {
  id: string;
  assessment_id: string;
  created_at: string;
  body_sha256: string;
  report: ReportBody;
}

export interface SharedReportDocument {
  report: ReportBody;
  created_at: string;
  expires_at: string;
  shared: true;
}

/** A statement of the questionnaire, for showing the answers behind a narrative statement. */
export interface ItemInfo {
  text: string;
  position: number;
}
