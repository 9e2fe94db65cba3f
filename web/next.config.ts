import type { NextConfig } from "next";

// In development only, `ATLAS_API_PROXY=http://127.0.0.1:8765 npm run dev` forwards /v1/*
// to a running API, so the app and the API share one origin as in production (the
// refresh cookie is SameSite=Strict and scoped to /v1/auth). A static export cannot
// rewrite: production relies on the API serving web/out, or on vercel.json.
const apiProxy = process.env.NODE_ENV === "development" ? process.env.ATLAS_API_PROXY : undefined;

const config: NextConfig = {
  output: "export",
  trailingSlash: false,
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  ...(apiProxy
    ? {
        async rewrites() {
          return [{ source: "/v1/:path*", destination: `${apiProxy}/v1/:path*` }];
        },
      }
    : {}),
};

export default config;
