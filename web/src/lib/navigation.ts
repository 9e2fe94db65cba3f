/** Full page navigation: used for dynamic routes (one exported page serves every id) and Stripe. */
export function hardNavigate(url: string, replace = false): void {
  if (replace) window.location.replace(url);
  else window.location.assign(url);
}

/** A `next=` target that stays on this site (a path, never `//host` or a scheme). */
export function safeNext(value: string | null | undefined, fallback: string): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  return value;
}

/** The real id in `/reports/<id>`: the exported page is `/reports/_`, so params would say `_`. */
export function lastPathSegment(): string {
  const parts = window.location.pathname.split("/").filter(Boolean);
  const last = parts[parts.length - 1] ?? "";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export function currentPathWithQuery(): string {
  return window.location.pathname + window.location.search;
}

export function reportHref(id: string): string {
  return `/reports/${encodeURIComponent(id)}`;
}

export function assessmentHref(id: string): string {
  return `/assessments/${encodeURIComponent(id)}`;
}
