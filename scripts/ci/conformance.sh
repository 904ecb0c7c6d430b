#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance) against a started gateway:
# its server scenarios run against an all-tools MCP server of the embedded sandbox, with the
# expected-failures baseline in scripts/ci/conformance/expected-failures.yml. It fails when a
# scenario fails that is not in the baseline, or passes while it is (remove the entry then).
#
# The suite needs Node >= 22; the gateway runs on the node in PATH (Node 20 here). Node 22 comes from
# the `node` package of the npm registry, pinned with the suite in scripts/ci/conformance/package.json
# and its own lock (apart from the gateway's dependencies: a `node` package there would put Node 22
# on the PATH of every npm script) and installed with `npm ci` into a cache directory named after the
# lock's hash (~/.cache/planhat-gateway/mcp-conformance-<hash>, or CONFORMANCE_CACHE_DIR), which
# outlives the gateway's own `npm ci`. Network: the npm registry only, and only when that install is
# missing (first run, or the lock changed).
#
# Usage: npm run conformance   (builds the gateway first when src/ changed)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
SUITE_DIR="$ROOT/scripts/ci/conformance"
LOCK_HASH="$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex").slice(0, 16))' "$SUITE_DIR/package-lock.json")"
CACHE_DIR="${CONFORMANCE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/planhat-gateway}"
INSTALL="$CACHE_DIR/mcp-conformance-$LOCK_HASH"
NODE22="$INSTALL/node_modules/node/bin/node"
CLI="$INSTALL/node_modules/@modelcontextprotocol/conformance/dist/index.js"
BASELINE="$SUITE_DIR/expected-failures.yml"

if [ ! -x "$NODE22" ] || [ ! -f "$CLI" ]; then
  echo "== installing the conformance suite and Node 22 (scripts/ci/conformance/package-lock.json) into $INSTALL"
  mkdir -p "$CACHE_DIR"
  STAGE="$(mktemp -d "$CACHE_DIR/.install-XXXXXX")"
  cp "$SUITE_DIR/package.json" "$SUITE_DIR/package-lock.json" "$STAGE/"
  npm ci --prefix "$STAGE" --no-audit --no-fund --loglevel=error >/dev/null
  rm -rf "$INSTALL"
  mv "$STAGE" "$INSTALL"
fi
"$NODE22" -e 'if (+process.versions.node.split(".")[0] < 22) { console.error("Node 22 expected, got " + process.version); process.exit(1); }'

node scripts/build-if-needed.js

WORK="$(mktemp -d)"
GATEWAY_PID=""
cleanup() {
  if [ -n "$GATEWAY_PID" ]; then kill "$GATEWAY_PID" 2>/dev/null || true; wait "$GATEWAY_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
ADMIN_KEY="conformance-$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')"
BASE="http://localhost:$PORT"

# A throwaway gateway on loopback: fresh data dir, the embedded sandbox, no throttling (the suite
# opens many sessions quickly), and the suite's progress fixture tool (MCP_CONFORMANCE_FIXTURE).
env -u PUBLIC_URL -u ALLOWED_ORIGINS -u DATABASE_URL -u REDIS_URL -u PLANHAT_API_TOKEN \
  NODE_ENV=test DATA_DIR="$WORK/data" HOST=127.0.0.1 PORT="$PORT" ADMIN_API_KEY="$ADMIN_KEY" \
  SANDBOX=true SANDBOX_RATE_LIMIT_PER_MIN=0 THROTTLE_PER_MIN=0 LOG_LEVEL=warn MCP_CONFORMANCE_FIXTURE=true \
  node dist/main.js >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!

for _ in $(seq 1 150); do
  if curl -fsS "$BASE/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then cat "$WORK/gateway.log" >&2; echo "the gateway did not start" >&2; exit 1; fi
  sleep 0.2
done
curl -fsS "$BASE/health/ready" >/dev/null

ACCT="$(curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "$BASE/integrated-account" | node -pe 'JSON.parse(require("fs").readFileSync(0)).result.find((a) => a.name === "sandbox").id')"
MCP_URL="$(curl -fsS -X POST -H "Authorization: Bearer $ADMIN_KEY" -H 'content-type: application/json' \
  -d '{"name":"MCP conformance (all tools)"}' "$BASE/integrated-account/$ACCT/mcp" | node -pe 'JSON.parse(require("fs").readFileSync(0)).url')"

echo "== MCP conformance suite $("$NODE22" -p 'require(process.argv[1]).version' "$INSTALL/node_modules/@modelcontextprotocol/conformance/package.json") (Node $("$NODE22" -v)) against the gateway (Node $(node -v))"
set +e
(cd "$WORK" && "$NODE22" "$CLI" server --url "$MCP_URL" --expected-failures "$BASELINE" -o "$WORK/results" "$@") >"$WORK/suite.log" 2>&1
status=$?
set -e
# The suite prints the MCP URL (its token is this throwaway server's, but keep it out of CI logs anyway).
sed "s#$MCP_URL#<mcp url>#g" "$WORK/suite.log"
if [ "$status" -ne 0 ]; then
  echo "== conformance: FAILED (exit $status); failed checks:" >&2
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const f = path.join(dir, d, "checks.json");
      if (!fs.existsSync(f)) continue;
      for (const c of JSON.parse(fs.readFileSync(f, "utf8"))) if (c.status === "FAILURE") console.error(`  ${d}: ${c.id}: ${c.errorMessage ?? ""}`);
    }' "$WORK/results" || true
  echo "== gateway log (last lines):" >&2
  tail -n 30 "$WORK/gateway.log" | sed -E 's#/mcp/phm_[A-Za-z0-9_-]+#/mcp/<token>#g' >&2
fi
exit "$status"
