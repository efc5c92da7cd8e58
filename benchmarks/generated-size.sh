#!/usr/bin/env bash
# Size of the source the DslLosses generator emits, per formula.
#
#   benchmarks/generated-size.sh REPO [OUT]
#
# REPO is a checkout of DslLosses (the generator and runtime to measure). Builds REPO's runtime (the built-in Keras
# formulas) and its test project (the test formulas) in Release into a fresh artifacts folder OUT (default: a temporary
# folder; REPO's own bin/ and obj/ are not touched), with EmitCompilerGeneratedFiles, then splits every file the
# generator wrote at the `// ==== Name: ...` header the emitter writes before each formula and prints a markdown table:
# bytes and lines per formula (a formula's entry points and its implementation each start at its header). Text before a
# file's first header, and from a line at column 0 (namespaces, braces) to the next header (the implementation class's
# usings and declaration), is listed as "(file preamble)" of that file. Needs: dotnet (the SDK REPO asks for), awk.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 REPO [OUT]" >&2
    exit 2
fi
REPO=$(cd "$1" && pwd)
OUT=${2:-$(mktemp -d /tmp/dsllosses-gensize.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

log="$OUT/build.log"
build() {
    # a fresh artifacts folder: no stale generated files of an earlier build, and REPO's own outputs stay as they are
    if ! dotnet build "$1" -c Release --artifacts-path "$OUT/artifacts" -p:EmitCompilerGeneratedFiles=true -nologo -v:q >>"$log" 2>&1; then
        echo "build of $1 failed; see $log" >&2
        tail -30 "$log" >&2
        exit 1
    fi
}
build "$REPO/runtime/DslLosses.csproj"
build "$REPO/tests/DslLosses.Tests/DslLosses.Tests.csproj"

# every file written by a DslLosses generator (the folder under generated/ is the generator's assembly name)
mapfile -t files < <(find "$OUT/artifacts/obj" -path '*/generated/DslLosses*' -type f -name '*.cs' | sort)
if [[ ${#files[@]} -eq 0 ]]; then
    echo "no generated files found under $OUT/artifacts/obj/*/generated/DslLosses*" >&2
    exit 1
fi

commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
# the last commit that changed the generator or runtime (benchmarks/ commits do not change what is measured)
code=$(git -C "$REPO" log -1 --format=%h -- generator runtime 2>/dev/null || echo unknown)
dirty=$(git -C "$REPO" status --porcelain 2>/dev/null | grep -v '^??' | head -1 || true)
echo "Generated source of $REPO (commit $commit, generator and runtime as of $code${dirty:+, with uncommitted changes}), Release build"
echo

# project = the obj/<project> folder; the files of one project are split at the formula headers
awk_split='
# a section is keyed by its file and name: formulas of the same name in two formula types stay two rows, each named
# with its file when the name occurs in more than one
function flush(   key) {
    if (name != "") {
        key = file SUBSEP name
        bytes[key] += b; lines[key] += l
        if (!(key in seen)) { seen[key] = 1; order[++n] = key; keyname[key] = name; keyfile[key] = file; uses[name]++ }
    }
    b = 0; l = 0
}
FNR == 1 { flush(); file = shortfile(FILENAME); preamble = "(file preamble: " file ")"; name = preamble }
{
    # a line at column 0 (namespace, braces and usings of the file, and the implementation class between them) is the
    # file'"'"'s own: the entry points of a formula and its implementation each start at its header
    if (match($0, /^[^ \t]/) && name != preamble) {
        flush()
        name = preamble
    }
    if (match($0, /^[ \t]*\/\/ ==== [A-Za-z_][A-Za-z0-9_]*:/)) {
        flush()
        s = substr($0, RSTART, RLENGTH); sub(/^[ \t]*\/\/ ==== /, "", s); sub(/:$/, "", s)
        name = s
    }
    b += length($0) + 1; l += 1
}
END {
    flush()
    for (i = 1; i <= n; i++) {
        k = order[i]; shown = keyname[k]
        if (uses[shown] > 1) shown = shown " (" keyfile[k] ")"
        printf "%s\t%d\t%d\n", shown, bytes[k], lines[k]
    }
}
function shortfile(f,   a, m) { m = split(f, a, "/"); return a[m] }
'

total_b=0; total_l=0; total_n=0
printf '| project | formula | bytes | lines |\n|---|---|---:|---:|\n'
for proj in $(printf '%s\n' "${files[@]}" | sed -E 's#.*/artifacts/obj/([^/]+)/.*#\1#' | sort -u); do
    pfiles=()
    for f in "${files[@]}"; do [[ $f == */artifacts/obj/$proj/* ]] && pfiles+=("$f"); done
    # LC_ALL=C: length() counts bytes (the files are UTF-8, with a BOM)
    while IFS=$'\t' read -r name b l; do
        printf '| %s | %s | %s | %s |\n' "$proj" "$name" "$b" "$l"
        total_b=$((total_b + b)); total_l=$((total_l + l))
        [[ $name == "(file preamble"* ]] || total_n=$((total_n + 1))
    done < <(LC_ALL=C awk "$awk_split" "${pfiles[@]}")
done
printf '| **all** | **%d formulas** | **%d** | **%d** |\n' "$total_n" "$total_b" "$total_l"
echo
echo "Files: "
for f in "${files[@]}"; do
    printf -- '- %s: %d bytes, %d lines\n' "${f#"$OUT/artifacts/obj/"}" "$(stat -c %s "$f")" "$(wc -l <"$f")"
done
