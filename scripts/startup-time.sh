#!/usr/bin/env bash
# Start-up time of `java -jar mnist.jar`: seconds from launch until the line "output: DIR", which the
# program prints after the launcher has re-executed the JVM with the Vector API, the data set is
# loaded and checked, and the model is built, just before the first training step. Runs a tiny
# training job (one batch) several times and prints each time and the median.
#
#   scripts/startup-time.sh [--runs N] [--data DIR] [--jar FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
data=../shared/data/mnist
jar=mnist/target/mnist.jar
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--data DIR] [--jar FILE]" >&2; exit 2 ;;
  esac
done
# the JDK 25 that .ci/run and bench/run-kernels.sh use, unless JAVA_HOME names another
[ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$jar" ] || { echo "startup-time: $jar not found; build it with ./mvnw -B -DskipTests package" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=()
echo "startup-time: $runs runs, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  first=""
  while IFS= read -r line; do
    printf '%s\n' "$line" >> "$work/log$r"
    if [ -z "$first" ] && [[ "$line" == output:* ]]; then
      first=$(( ($(date +%s%N) - start) / 1000000 ))
    fi
  done < <("$java" -jar "$jar" --data "$data" --epochs 1 --train-limit 64 --test-limit 100 --no-plot \
             --out "$work/run$r" 2>&1)
  [ -n "$first" ] || { echo "startup-time: run $r never printed 'output:'; the end of its output:" >&2
    tail -5 "$work/log$r" >&2; exit 1; }
  echo "run $r: first training step starts ${first} ms after launch"
  times+=("$first")
done
printf 'median: %s ms\n' "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')"
