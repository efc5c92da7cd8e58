#!/usr/bin/env bash
# Rebuild time of a consumer project in the edit loop.
#
#   benchmarks/rebuild-time.sh [--cpu] REPO [OUT] [REPS]
#
# REPO is a checkout of DslLosses (the generator and runtime to measure). Writes the two consumer projects of
# consumer/make-consumer.sh into OUT (default: a temporary folder), restores them and builds each once (the warm-up:
# REPO's runtime and generator are built then, and the build and compiler servers start), then times, REPS times each
# (default 3; the median is reported):
#
#   (a) touch Program.cs (a file without formulas), rebuild
#   (b) edit one formula (Hinge's margin, 1.0 <-> 1.25), rebuild   (Formulas20 only: NoFormulas has no formula)
#
# for Formulas20 (20 formulas) and NoFormulas (the same project without them). Each timed build is
# `dotnet build -c Release --no-restore -p:BuildProjectReferences=false`: only the consumer is compiled; REPO's runtime
# and generator are not even checked for being up to date (as with a package reference). Each timed build is checked
# to have written a new consumer assembly. Prints a markdown table, the CPU and the load average.
#
# --cpu: the timed builds run without the build servers (-p:UseSharedCompilation=false -nodeReuse:false), so that the
# compiler runs as a child process and the CPU time (user + sys) of the whole build can be counted; it is reported
# beside the wall time. CPU time hardly depends on what else the machine runs, wall time does. Without the compiler
# server each build also starts and JITs the compiler (a few seconds, the same for every project).
set -euo pipefail

CPU=0
if [[ ${1:-} == --cpu ]]; then
    CPU=1
    shift
fi

if [[ $# -lt 1 ]]; then
    echo "usage: $0 [--cpu] REPO [OUT] [REPS]" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$1" && pwd)
OUT=${2:-$(mktemp -d /tmp/dsllosses-rebuild.XXXXXX)}
REPS=${3:-3}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
log="$OUT/build.log"
: >"$log"

bash "$HERE/consumer/make-consumer.sh" "$REPO" "$OUT" >/dev/null
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

run() { # project-dir extra-args... ; fails loudly
    if ! dotnet build "$1" -c Release -nologo -v:q "${@:2}" >>"$log" 2>&1; then
        echo "build of $1 failed; see $log" >&2
        tail -30 "$log" >&2
        exit 1
    fi
}

for p in Formulas20 NoFormulas; do
    dotnet restore "$OUT/$p" -nologo -v:q >>"$log" 2>&1 || { echo "restore of $p failed; see $log" >&2; exit 1; }
    run "$OUT/$p" --no-restore      # warm-up: builds REPO's runtime and generator too
done
# a second warm-up of each consumer alone (JIT of the build tasks, compiler server caches)
for p in Formulas20 NoFormulas; do
    touch "$OUT/$p/Program.cs"
    run "$OUT/$p" --no-restore -p:BuildProjectReferences=false
done

now() { date +%s.%N; }
TIMED_ARGS=(--no-restore -p:BuildProjectReferences=false)
if ((CPU)); then
    TIMED_ARGS+=(-p:UseSharedCompilation=false -nodeReuse:false)
fi
T=
C=
timed_build() { # project -> wall seconds in T, CPU seconds (user + sys of the build and its children) in C
    local p=$1 dll="$OUT/$1/bin/Release/net10.0/$1.dll" before after t0 t1 times
    before=$(stat -c %y "$dll")
    t0=$(now)
    # a subshell: `times` then reports the CPU time of the processes this build started (and waited for)
    # (`times` itself, not in a pipeline: a pipeline would run it in a new subshell without children)
    times=$(run "$OUT/$p" "${TIMED_ARGS[@]}"; times)
    times=${times##*$'\n'}
    t1=$(now)
    after=$(stat -c %y "$dll")
    if [[ $before == "$after" ]]; then
        echo "the build of $p did not write a new assembly: nothing was compiled" >&2
        exit 1
    fi
    T=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    # "XmY.YYYs XmY.YYYs": user and sys of the children
    C=$(awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2] } printf "%.1f", t }' <<<"$times")
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

load_before=$(uptime | sed 's/.*load average: //')
declare -A results
cell() { # wall samples in W, CPU samples in U
    if ((CPU)); then
        echo "$(median "${W[@]}") (${W[*]}) | $(median "${U[@]}") (${U[*]})"
    else
        echo "$(median "${W[@]}") (${W[*]})"
    fi
}
for p in Formulas20 NoFormulas; do
    W=(); U=()
    for ((i = 1; i <= REPS; i++)); do
        sleep 1   # a newer timestamp than the last build's outputs
        touch "$OUT/$p/Program.cs"
        timed_build "$p"
        W+=("$T"); U+=("$C")
    done
    results[$p,touch]=$(cell)
    if [[ $p == Formulas20 ]]; then
        W=(); U=()
        for ((i = 1; i <= REPS; i++)); do
            sleep 1
            if grep -q '1.0 /\*margin\*/' "$OUT/$p/Losses.cs"; then
                sed -i 's#1.0 /\*margin\*/#1.25 /*margin*/#' "$OUT/$p/Losses.cs"
            else
                sed -i 's#1.25 /\*margin\*/#1.0 /*margin*/#' "$OUT/$p/Losses.cs"
            fi
            timed_build "$p"
            W+=("$T"); U+=("$C")
        done
        results[$p,edit]=$(cell)
    else
        results[$p,edit]="n/a (no formula)"
        ((CPU)) && results[$p,edit]+=" | n/a"
    fi
done
load_after=$(uptime | sed 's/.*load average: //')

commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
# the last commit that changed the generator or runtime (benchmarks/ commits do not change what is measured)
code=$(git -C "$REPO" log -1 --format=%h -- generator runtime 2>/dev/null || echo unknown)
echo "Consumer rebuild time, $REPO (commit $commit, generator and runtime as of $code); seconds, median of $REPS (samples in brackets)"
if ((CPU)); then
    echo "without build servers (--cpu); CPU = user + sys of the build and the compiler"
    echo
    echo "| project | (a) touch Program.cs: wall | (a) CPU | (b) edit one formula: wall | (b) CPU |"
    echo "|---|---:|---:|---:|---:|"
else
    echo
    echo "| project | (a) touch Program.cs | (b) edit one formula |"
    echo "|---|---:|---:|"
fi
echo "| Formulas20 (20 formulas) | ${results[Formulas20,touch]} | ${results[Formulas20,edit]} |"
echo "| NoFormulas | ${results[NoFormulas,touch]} | ${results[NoFormulas,edit]} |"
echo
echo "CPU: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) cores; load average (1, 5, 15 min) before: $load_before, after: $load_after"
echo "dotnet $(dotnet --version); projects in $OUT"
