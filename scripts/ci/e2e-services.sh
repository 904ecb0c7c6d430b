#!/usr/bin/env bash
# The e2e suites on PostgreSQL + Redis (started by services.sh), except those listed in
# services-pass-skip.txt. Used by .ci/run and `npm run test:scale-out`.
set -euo pipefail
cd "$(dirname "$0")/../.."
eval "$(bash scripts/ci/services.sh)"
export TEST_POSTGRES_URL TEST_REDIS_URL
skip=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' scripts/ci/services-pass-skip.txt | grep -v '^$' | paste -sd'|')
for name in ${skip//|/ }; do
  # A listed suite that no longer exists is a stale list: say so instead of skipping nothing.
  [ -f "test/$name.e2e-spec.ts" ] || { echo "services-pass-skip.txt names test/$name.e2e-spec.ts, which does not exist" >&2; exit 1; }
done
exec npx jest --runInBand --selectProjects e2e --testPathIgnorePatterns "/test/($skip)\\.e2e-spec\\.ts\$" "$@"
