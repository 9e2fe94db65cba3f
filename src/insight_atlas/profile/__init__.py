"""The account as its owner sees it: profile with plan and entitlements (GET /v1/me, and
registration's answer). It sits above accounts and billing, composing the two."""
