#!/usr/bin/env bash
# CI smoke run of every fuzz target: 5 seconds each (override with FUZZTIME).
# Catches a regression that the seed corpus or a few seconds of mutation
# find; long runs are `make fuzz FUZZTIME=10m`.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-5s} exec ./scripts/fuzz.sh "$@"
