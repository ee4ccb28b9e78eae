#!/usr/bin/env bash
# Sets up a checkout of jada: Node 24 when the machine's Node is too old, dependencies, build.
#
#   bash scripts/setup.sh
#
# Afterwards `npx jada --help` runs the CLI from this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ensure-node.sh
source scripts/ensure-node.sh
npm ci --no-fund --no-audit --loglevel=error
npm run build -- --output-logs=errors-only
echo
echo "jada is built (node $(node --version)). Try: npx jada --help"
