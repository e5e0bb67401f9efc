#!/usr/bin/env bash
# Set up (idempotent) and run `py-apm serve`; arguments go to it (e.g. --port 0 --webresources DIR).
# Runs from the caller's directory, so relative paths in the arguments mean what the caller typed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/scripts/setup.sh"
exec "$repo/.venv/bin/py-apm" serve "$@"
