#!/usr/bin/env bash
# Runs the in-process benchmarks of Benchmarks/ (ordo-one/benchmark, release build) and checks their figures against
# Benchmarks/thresholds.json: ratios to a baseline measured in the same run, the project's own targets, and ceilings
# on allocation counts. Prints one table; exits 1 when a figure is past its limit ("max"/"min": a regression), 2 when
# the run failed or a figure is missing. A figure's "target" (the project's goal) is reported as met or missed
# without failing the run: where this machine cannot meet it, its limit guards against getting worse instead.
# Not part of CI (.ci/run, scripts/test.sh): a first build takes several minutes, a run a few more.
#
# Usage: bash scripts/bench-check.sh [--thresholds FILE] [--results DIR] [--reuse DIR] [--target SUITE] [--filter REGEX]
#   --thresholds FILE  limits to check (default Benchmarks/thresholds.json)
#   --results DIR      keep the exported percentiles there (default: a temporary directory, removed afterwards)
#   --reuse DIR        do not run: check the percentiles a previous run left in DIR (with --results)
#   --target SUITE     run only that suite (ATReceive, USSDDecode, ChainVerify, GroupCommit); repeatable
#   --filter REGEX     run only the benchmarks whose whole name matches ('verify.*')
#   (with --target or --filter the figures of the benchmarks not run are reported as missing)
# HOTSPOT_BENCH_DIR: where the ledger suites put their scratch ledgers (default the temporary directory; must be a
# disk, not a tmpfs, or fsync is free). HOTSPOT_BENCH_CHAIN_EVENTS: events in the verified chain (default 10,000).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

thresholds=Benchmarks/thresholds.json
results=""
reuse=""
filter=()
while [ $# -gt 0 ]; do
    case "$1" in
        --thresholds) thresholds="$2"; shift 2 ;;
        --results) results="$2"; shift 2 ;;
        --reuse) reuse="$2"; shift 2 ;;
        --filter) filter+=(--filter "$2"); shift 2 ;;
        --target) filter+=(--target "$2"); shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "bench-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ -f "$thresholds" ] || { echo "bench-check: no thresholds file $thresholds" >&2; exit 2; }

if [ -n "$reuse" ]; then
    results="$reuse"
    [ -d "$results" ] || { echo "bench-check: no results directory $results" >&2; exit 2; }
else
    if [ -z "$results" ]; then
        results="$(mktemp -d "${TMPDIR:-/tmp}/bench-check.XXXXXX")"
        trap 'rm -rf "$results"' EXIT
    fi
    mkdir -p "$results"
    results="$(cd "$results" && pwd)"
    echo "== swift package --package-path Benchmarks benchmark (release build; the first one takes minutes)"
    # The exported format: per benchmark and metric, the value at every percentile 0...100 (time units are set to
    # nanoseconds and the scaling factor to one in every suite, so the values are raw ns and counts per iteration).
    if ! swift package --package-path Benchmarks --allow-writing-to-directory "$results" benchmark \
            --format histogramPercentiles --path "$results" --no-progress "${filter[@]}" >"$results/run.log" 2>&1; then
        tail -40 "$results/run.log" >&2
        echo "bench-check: the benchmark run failed (log above, full log $results/run.log)" >&2
        exit 2
    fi
fi

python3 - "$thresholds" "$results" <<'PY'
import json, os, sys

thresholds_path, results = sys.argv[1], sys.argv[2]
with open(thresholds_path) as handle:
    figures = json.load(handle)["figures"]

def file_for(ref):
    # The benchmark tool names each export Current_run.<target>.<name>.<metric>.histogram.percentiles.tsv,
    # with '/' and ' ' replaced by '_'.
    name = "Current_run.%s.%s.%s.histogram.percentiles.tsv" % (ref["target"], ref["benchmark"], ref["metric"])
    return os.path.join(results, name.replace("/", "_").replace(" ", "_"))

def value(ref):
    """The value at ref's percentile (default 50), or None when the run did not export it."""
    path = file_for(ref)
    if not os.path.exists(path):
        return None
    wanted = int(ref.get("percentile", 50))
    with open(path) as handle:
        for line in handle:
            cells = line.rstrip("\n").split("\t")
            if len(cells) == 2 and cells[0].isdigit() and int(cells[0]) == wanted:
                return float(cells[1])
    return None

def shown(number):
    if number is None:
        return "-"
    if abs(number) >= 100:
        return "%.0f" % number
    if abs(number) >= 10:
        return "%.1f" % number
    return "%.3f" % number

def bounds(spec):
    """'<= 1.25', '>= 50' or both, for a {"max": ..., "min": ...} spec."""
    parts = []
    if spec.get("max") is not None:
        parts.append("<= %s" % shown(spec["max"]))
    if spec.get("min") is not None:
        parts.append(">= %s" % shown(spec["min"]))
    return " ".join(parts)

def within(result, spec):
    return not (spec.get("max") is not None and result > spec["max"]) and not (spec.get("min") is not None and result < spec["min"])

rows, regressions, missing, targets_missed = [], 0, 0, 0
for figure in figures:
    numerator = value(figure["of"])
    denominator = value(figure["per"]) if "per" in figure else 1.0
    limit = bounds(figure)
    target = figure.get("target", {})
    goal = bounds(target)
    if numerator is None or denominator is None or denominator == 0:
        rows.append((figure["name"], "-", figure.get("unit", ""), limit, goal, "MISSING"))
        missing += 1
        continue
    result = numerator / denominator * float(figure.get("factor", 1))
    verdict = "ok" if limit else "(report)"
    if limit and not within(result, figure):
        verdict = "REGRESSION"
        regressions += 1
    if goal:
        met = within(result, target)
        targets_missed += not met
        verdict += ", target met" if met else ", target MISSED"
    rows.append((figure["name"], shown(result), figure.get("unit", ""), limit, goal, verdict))

headers = ("figure", "value", "unit", "limit", "target", "verdict")
widths = [max(len(str(row[i])) for row in rows + [headers]) for i in range(len(headers))]
def line(cells):
    return " | ".join(str(cell).ljust(widths[i]) if i != 1 else str(cell).rjust(widths[i]) for i, cell in enumerate(cells))
print(line(headers))
print("-+-".join("-" * width for width in widths))
for row in rows:
    print(line(row))
print("%d figures: %d regressions, %d missing; %d project targets missed (reported, not failing) (limits: %s, results: %s)"
      % (len(rows), regressions, missing, targets_missed, thresholds_path, results))
sys.exit(1 if regressions else (2 if missing else 0))
PY
