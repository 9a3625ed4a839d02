#!/usr/bin/env bash
# Installs what the test suite needs beyond Go and git, when it is missing:
#   pre-commit   the pre-commit framework, for the end-to-end test of
#                .pre-commit-hooks.yaml (cmd/pushguard: TestE2EPreCommitFramework)
#   chromium     headless Chromium, for the dashboard's browser test
#                (pkg/dashboard: TestBrowserRendersDashboard; .ci/run requires it)
# From the distribution's packages (apt-get), not from PyPI. Idempotent: does
# nothing when everything is installed. Without root or apt-get it says what
# is missing and exits 0: the tests that need it skip, and say so.
set -euo pipefail
missing=()
command -v pre-commit >/dev/null 2>&1 || missing+=(pre-commit)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  echo "ci-deps: all installed ($(pre-commit --version); $(chromium --version 2>/dev/null || chromium-browser --version))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci-deps: missing ${missing[*]} and no apt-get here: install them by hand; the tests that need them skip" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "ci-deps: missing ${missing[*]}; run as root (or with passwordless sudo) to install them; the tests that need them skip" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
  { $sudo apt-get update -qq && $sudo apt-get install -y --no-install-recommends "${missing[@]}"; }
echo "ci-deps: installed ${missing[*]}"
