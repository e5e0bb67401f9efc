#!/usr/bin/env bash
# Set up (idempotent) and run `py-apm serve`; arguments go to it (e.g. --port 0 --webresources DIR).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/py-apm serve "$@"
