"use client";

import { useEffect, useState } from "react";

/**
 * The page's query string, read after hydration. A static export has no query at build
 * time, so reading `window.location` in an effect keeps server and client HTML identical.
 */
export function useQuery(): URLSearchParams | null {
  const [query, setQuery] = useState<URLSearchParams | null>(null);
  useEffect(() => {
    setQuery(new URLSearchParams(window.location.search));
  }, []);
  return query;
}
