#!/usr/bin/env bash
# Builds exproto-benchmarks (and the modules it needs), runs the benchmark suite and writes
# BENCHMARKS.md at the repository root.
#
#   ./benchmarks/run.sh [--quick|--full] [--no-build] [--skip-jmh] [--skip-load]
#
#   --quick     (default) the headline shapes, a few seconds each: about 8-10 minutes on 2 cores
#   --full      every shape (1/100/1000 connections x 16 B/1 KB/64 KB), long warm-ups: about an hour
#   --no-build  use the classes and target/lib already built
# Environment: MVN_ARGS (extra Maven arguments, e.g. -o), JAVA (the java to run, default: java).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MODE=--quick
BUILD=1
PASS=()
for arg in "$@"; do
  case "$arg" in
    --quick|--full) MODE="$arg" ;;
    --no-build) BUILD=0 ;;
    --skip-jmh|--skip-load) PASS+=("$arg") ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (use --quick, --full, --no-build, --skip-jmh, --skip-load)" >&2; exit 2 ;;
  esac
done

if [ "$BUILD" = 1 ]; then
  echo "building exproto-benchmarks..."
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_ARGS:-} -DskipTests -Dmaven.test.skip=true -pl exproto-benchmarks -am package
fi

MODULE="$ROOT/exproto-benchmarks"
if [ ! -d "$MODULE/target/classes" ] || [ ! -d "$MODULE/target/lib" ]; then
  echo "exproto-benchmarks is not built; run without --no-build" >&2
  exit 1
fi

COMMAND="./benchmarks/run.sh $MODE${PASS:+ ${PASS[*]}}"
exec "${JAVA:-java}" -Xmx2g -cp "$MODULE/target/classes:$MODULE/target/lib/*" \
  io.exproto.benchmarks.suite.BenchmarkSuite "$MODE" "${PASS[@]}" \
  --out "$ROOT/BENCHMARKS.md" --log-dir "$MODULE/target/bench-logs" --command "$COMMAND"
