/** The public address of the site, for the sitemap and robots.txt (set at build time). */
export const SITE_URL = (process.env.NEXT_PUBLIC_SITE_URL ?? "https://insight-atlas.vercel.app").replace(/\/+$/, "");
