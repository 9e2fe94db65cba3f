"use client";

import { useRouter } from "next/navigation";
import type { AnchorHTMLAttributes, MouseEvent } from "react";

type Props = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

// Pages exported once for every id (see lib/navigation.ts) need a full load to show their id.
const DYNAMIC = /^\/(reports|assessments|shared)\/(?!new(?:[?#]|$))[^/?#]+/;

/**
 * A plain link that navigates inside the app without a page load (a small stand-in for
 * next/link, without its prefetching, to keep every page's first-load JavaScript low).
 * Modified clicks, other origins and dynamic routes behave as ordinary links.
 */
export function AppLink({ href, onClick, ...rest }: Props) {
  const router = useRouter();
  function handle(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      rest.target ||
      rest.download !== undefined ||
      !href.startsWith("/") ||
      href.startsWith("//") ||
      DYNAMIC.test(href)
    ) {
      return;
    }
    const [path] = href.split("#");
    if (href.includes("#") && path === window.location.pathname) return;
    event.preventDefault();
    router.push(href);
  }
  return <a href={href} onClick={handle} {...rest} />;
}
