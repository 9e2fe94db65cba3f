"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { api, call, type Schemas } from "@/api/client";
import { asApiError, type ApiError } from "@/api/errors";

type PageTiming = Schemas["PageTiming"];

interface Pending {
  answers: Record<string, number | null>;
  itemSeconds: Record<string, number>;
  pagesChanged: boolean;
  freeText: string | undefined;
}

export type SaveState = "saved" | "saving" | "unsaved" | "error";

function empty(): Pending {
  return { answers: {}, itemSeconds: {}, pagesChanged: false, freeText: undefined };
}

function isEmpty(pending: Pending): boolean {
  return (
    !Object.keys(pending.answers).length &&
    !Object.keys(pending.itemSeconds).length &&
    !pending.pagesChanged &&
    pending.freeText === undefined
  );
}

/**
 * Saves answers as the person goes: a short pause after each change, and at once on every
 * page turn. Saves run one after another; a failed batch is kept (newer changes win) and
 * sent again with the next save, so nothing answered is dropped. `flush()` resolves only
 * once everything changed before the call is stored, and rejects if it could not be.
 */
export function useResponseSaver(assessmentId: string, pagesPayload: () => PageTiming[]) {
  const [state, setState] = useState<SaveState>("saved");
  const [error, setError] = useState<ApiError | null>(null);
  const pending = useRef<Pending>(empty());
  const chain = useRef<Promise<void>>(Promise.resolve());
  const timer = useRef<number | undefined>(undefined);
  const pagesRef = useRef(pagesPayload);
  pagesRef.current = pagesPayload;

  const saveBatch = useCallback(async () => {
    if (isEmpty(pending.current)) return;
    const batch = pending.current;
    pending.current = empty();
    setState("saving");
    try {
      await call(() =>
        api.PUT("/v1/assessments/{assessment_id}/responses", {
          params: { path: { assessment_id: assessmentId } },
          body: {
            answers: batch.answers,
            item_seconds: batch.itemSeconds,
            pages: batch.pagesChanged ? pagesRef.current() : null,
            free_text: batch.freeText ?? null,
          },
        }),
      );
      setError(null);
      setState(isEmpty(pending.current) ? "saved" : "unsaved");
    } catch (caught) {
      const now = pending.current;
      pending.current = {
        answers: { ...batch.answers, ...now.answers },
        itemSeconds: { ...batch.itemSeconds, ...now.itemSeconds },
        pagesChanged: batch.pagesChanged || now.pagesChanged,
        freeText: now.freeText ?? batch.freeText,
      };
      setError(asApiError(caught));
      setState("error");
      throw caught;
    }
  }, [assessmentId]);

  const flush = useCallback((): Promise<void> => {
    window.clearTimeout(timer.current);
    const run = chain.current.catch(() => undefined).then(saveBatch);
    chain.current = run;
    return run;
  }, [saveBatch]);

  const schedule = useCallback(
    (delay: number) => {
      setState((previous) => (previous === "error" ? previous : "unsaved"));
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void flush().catch(() => undefined), delay);
    },
    [flush],
  );

  const queueAnswer = useCallback(
    (itemId: string, value: number, timing: Record<string, number>) => {
      pending.current.answers[itemId] = value;
      Object.assign(pending.current.itemSeconds, timing);
      schedule(700);
    },
    [schedule],
  );

  const queueFreeText = useCallback(
    (text: string, delay?: number) => {
      pending.current.freeText = text;
      if (delay !== undefined) schedule(delay);
    },
    [schedule],
  );

  const markPagesChanged = useCallback(() => {
    pending.current.pagesChanged = true;
  }, []);

  useEffect(() => {
    // Leaving with unsaved answers: the browser asks first.
    function beforeUnload(event: BeforeUnloadEvent) {
      if (!isEmpty(pending.current)) {
        void flush().catch(() => undefined);
        event.preventDefault();
      }
    }
    window.addEventListener("beforeunload", beforeUnload);
    return () => {
      window.removeEventListener("beforeunload", beforeUnload);
      window.clearTimeout(timer.current);
    };
  }, [flush]);

  return useMemo(
    () => ({ state, error, flush, queueAnswer, queueFreeText, markPagesChanged }),
    [state, error, flush, queueAnswer, queueFreeText, markPagesChanged],
  );
}
