#!/usr/bin/env bash
# Property-based fuzzing of the API against its own OpenAPI spec (schemathesis, pip extra `dev`).
# Checks: no 5xx on any generated input, responses match the documented schemas.
#   matcher serve --port 8000 &
#   api/tools/schemathesis.sh http://127.0.0.1:8000
# Admin routes are fuzzed only when TECHMATCH_ADMIN_TOKEN is exported (sent as the bearer token).
set -euo pipefail
URL="${1:-http://127.0.0.1:8000}"
AUTH=()
if [[ -n "${TECHMATCH_ADMIN_TOKEN:-}" ]]; then AUTH=(-H "Authorization: Bearer ${TECHMATCH_ADMIN_TOKEN}"); fi
exec schemathesis --config-file "$(dirname "$0")/schemathesis.toml" run "${URL}/openapi.json" --checks all --max-examples "${MAX_EXAMPLES:-50}" \
  --exclude-path-regex '^/v1/admin/catalog$' "${AUTH[@]}"
