#!/usr/bin/env bash
# Time of the DslLosses generator itself (a CSharpGeneratorDriver run of LossGenerator, in memory).
#
#   benchmarks/generator-time.sh REPO                       quick mode: each case in a process of its own, 3 runs,
#                                                           stopped after 60 s (see --timeout, --runs, --chain, --cases)
#   benchmarks/generator-time.sh REPO --quick --timeout 30 --chain 10,12,14,16,20,40,80,160
#   benchmarks/generator-time.sh REPO --filter '*'          BenchmarkDotNet: every benchmark
#   benchmarks/generator-time.sh REPO --floor --runs 40 [--steps]
#                                                           the re-run after an unrelated edit (100 formulas), LossGenerator
#                                                           against a trivial generator (the floor), alternating in one process
#   DSL_GENBENCH_CHAIN=10,12 benchmarks/generator-time.sh REPO --filter '*ChainedLocals*'
#
# REPO is a checkout of DslLosses (the generator and runtime to measure). Builds DslLosses.GeneratorBenchmarks of
# this folder against REPO's generator and runtime (-p:DslLossesRepo=REPO) in Release into a folder of its own
# (OUT, default /tmp/dsllosses-genbench-<hash of REPO>; REPO's bin/ and obj/ are not touched), then runs it with the
# remaining arguments (none: --quick).
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 REPO [--quick [--timeout S] [--runs R] [--chain N,N,...] [--cases ...] | --floor [--formulas N] [--runs R] [--steps] | BenchmarkDotNet arguments]" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$1" && pwd)
shift
OUT=${DSL_GENBENCH_OUT:-/tmp/dsllosses-genbench-$(printf '%s' "$REPO" | md5sum | cut -c1-8)}
mkdir -p "$OUT"
if [[ $# -eq 0 ]]; then
    set -- --quick
fi

log="$OUT/build.log"
if ! dotnet build "$HERE/DslLosses.GeneratorBenchmarks/DslLosses.GeneratorBenchmarks.csproj" -c Release \
        --artifacts-path "$OUT/artifacts" -p:DslLossesRepo="$REPO" -nologo -v:q >"$log" 2>&1; then
    echo "build failed; see $log" >&2
    tail -30 "$log" >&2
    exit 1
fi
dll=$(find "$OUT/artifacts/bin/DslLosses.GeneratorBenchmarks" -name DslLosses.GeneratorBenchmarks.dll | head -1)

commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
# the last commit that changed the generator or runtime (benchmarks/ commits do not change what is measured)
code=$(git -C "$REPO" log -1 --format=%h -- generator runtime 2>/dev/null || echo unknown)
echo "DslLosses generator of $REPO (commit $commit, generator and runtime as of $code); dotnet $(dotnet --version)"
cd "$OUT"   # BenchmarkDotNet writes its BenchmarkDotNet.Artifacts/ here
exec dotnet "$dll" "$@"
