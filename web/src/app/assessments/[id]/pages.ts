import { t } from "@/i18n/en/quiz";
import { WORK_STYLE_KEY, type Assessment, type Instrument } from "@/lib/assessments";

export interface QuizItem {
  id: string;
  text: string;
  /** 1-based position in the whole questionnaire. */
  position: number;
  instrumentKey: string;
}

export interface QuizPage {
  kind: "items" | "finish";
  title: string;
  items: QuizItem[];
}

const PAGE_SIZE = 10;

/** Pages of about ten statements (evenly split per instrument), then a last page to finish. */
export function buildPages(assessment: Assessment, instruments: Instrument[]): QuizPage[] {
  const mine = new Set([...assessment.unanswered, ...Object.keys(assessment.answers)]);
  const pages: QuizPage[] = [];
  let position = 0;
  for (const instrument of instruments) {
    const items = instrument.items
      .filter((item) => mine.size === 0 || mine.has(item.id))
      .map((item) => ({ id: item.id, text: item.text, position: ++position, instrumentKey: instrument.key }));
    if (!items.length) continue;
    const count = Math.ceil(items.length / PAGE_SIZE);
    const size = Math.ceil(items.length / count);
    const title = instrument.key === WORK_STYLE_KEY ? t("quiz.workStyleSection") : "";
    for (let start = 0; start < items.length; start += size) {
      pages.push({ kind: "items", title, items: items.slice(start, start + size) });
    }
  }
  pages.push({ kind: "finish", title: "", items: [] });
  return pages;
}

/** Where to pick up: the first page with an unanswered statement, else the last page. */
export function firstPageToResume(pages: QuizPage[], answers: Record<string, number>): number {
  const index = pages.findIndex((page) => page.items.some((item) => answers[item.id] === undefined));
  return index === -1 ? pages.length - 1 : index;
}
