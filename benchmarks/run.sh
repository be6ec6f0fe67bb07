#!/usr/bin/env bash
# Builds exproto-benchmarks (and the modules it needs), runs the benchmark suite and writes
# BENCHMARKS.md at the repository root.
#
#   ./benchmarks/run.sh [--quick|--full] [--no-build] [--skip-jmh] [--skip-load]
#
#   --quick     (default) the headline shapes, a few seconds each: about 8-10 minutes on 2 cores
#   --full      every shape (1/100/1000 connections x 16 B/1 KB/64 KB), long warm-ups: about an hour
#   --no-build  use the classes and target/lib already built
#
#   ./benchmarks/run.sh --soak [MINUTES] [--scenario S] [--no-build]
#
#   --soak      instead of the suite: 100 connections echoing 16 B at 2,000 msg/s through S
#               (default grpc-echo: gateway and remote handler) for MINUTES (default 60), sampling
#               heap, direct memory, threads and file descriptors of both JVMs every minute; writes
#               benchmarks/SOAK.md and exits 1 when one of them grew
# Environment: MVN_ARGS (extra Maven arguments, e.g. -o), JAVA (the java to run, default: java).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MODE=--quick
BUILD=1
PASS=()
SOAK=0
SOAK_MINUTES=60
SOAK_SCENARIO=grpc-echo
while [ $# -gt 0 ]; do
  arg="$1"
  shift
  case "$arg" in
    --soak)
      SOAK=1
      if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then SOAK_MINUTES="$1"; shift; fi ;;
    --scenario) SOAK_SCENARIO="${1:?--scenario needs a value}"; shift ;;
    --quick|--full) MODE="$arg" ;;
    --no-build) BUILD=0 ;;
    --skip-jmh|--skip-load) PASS+=("$arg") ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (use --quick, --full, --soak, --no-build, --skip-jmh, --skip-load)" >&2; exit 2 ;;
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

if [ "$SOAK" = 1 ]; then
  exec "${JAVA:-java}" -Xmx2g -cp "$MODULE/target/classes:$MODULE/target/lib/*" \
    io.exproto.benchmarks.load.LoadGenerator soak --scenario "$SOAK_SCENARIO" --connections 100 --size 16 \
    --rate 2000 --warmup 60 --duration $((SOAK_MINUTES * 60)) --sample 60 \
    --out "$ROOT/benchmarks/SOAK.md" --log-dir "$MODULE/target/bench-logs" \
    --command "./benchmarks/run.sh --soak $SOAK_MINUTES --scenario $SOAK_SCENARIO"
fi

COMMAND="./benchmarks/run.sh $MODE${PASS:+ ${PASS[*]}}"
exec "${JAVA:-java}" -Xmx2g -cp "$MODULE/target/classes:$MODULE/target/lib/*" \
  io.exproto.benchmarks.suite.BenchmarkSuite "$MODE" "${PASS[@]}" \
  --out "$ROOT/BENCHMARKS.md" --log-dir "$MODULE/target/bench-logs" --command "$COMMAND"
