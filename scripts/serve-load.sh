#!/usr/bin/env bash
# Throughput and latency of `mnist.jar serve` under load, with batching (--max-batch 64) and
# without (--max-batch 1): a fresh server process per setting on loopback, and a client process
# (scripts/ServeLoad.java) whose C threads send R requests each, every one a different MNIST test
# image, checked against the server's answer for that image alone. The settings alternate for
# --rounds rounds (the machine's noise hits each alike); prints a Markdown row per run, then each
# setting's median requests/s.
#
#   scripts/serve-load.sh [--model FILE | --arch NAME] [--data DIR] [--clients C] [--requests R] [--batch-wait-ms MS]
#                         [--threads N]   (the server's backend threads; default all cores)
#                         [--rounds N]    (default 3)
#                         [--settings "64/2 1/2"]  (max-batch/batch-wait-ms pairs; default "64/W 1/W", W = --batch-wait-ms)
# Without --model it trains --arch (default seed) for one epoch on 12,800 images (seed: about 10 s;
# others on 640 images, enough for a file whose speed is measured, not its accuracy).
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/mnist
model=
arch=seed
clients=16
requests=200
wait_ms=0
threads=
rounds=3
settings=
port=${PORT:-18080}
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --batch-wait-ms) wait_ms=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --settings) settings=$2; shift 2 ;;
    *) echo "usage: $0 [--model FILE | --arch NAME] [--data DIR] [--clients C] [--requests R] [--batch-wait-ms MS] [--threads N] [--rounds N] [--settings \"64/2 1/2\"]" >&2; exit 2 ;;
  esac
done
[ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=mnist/target/mnist.jar
[ -f "$jar" ] || { echo "serve-load: $jar not found; build it with ./mvnw -B -DskipTests package" >&2; exit 1; }
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ -z "$model" ]; then
  limit=12800
  [ "$arch" = seed ] || limit=640
  "$java" -jar "$jar" --model "$arch" --data "$data" --epochs 1 --train-limit "$limit" --test-limit 1000 --no-plot \
    --out "$work/run" > "$work/train.log" 2>&1 || { cat "$work/train.log" >&2; exit 1; }
  model=$work/run/model.safetensors
fi
echo "serve-load: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
settings=${settings:-"64/$wait_ms 1/$wait_ms"}
echo "model: $model ($arch); $clients clients x $requests requests, backend threads ${threads:-all}, $rounds rounds of: $settings"
echo
echo "| server | clients x requests | requests/s | p50 ms | p99 ms | mean batch | wrong answers |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq "$rounds"); do
for setting in $settings; do
  mb=${setting%/*}
  w=${setting#*/}
  "$java" -jar "$jar" serve --model "$model" --port "$port" --max-batch "$mb" --batch-wait-ms "$w" \
    ${threads:+--threads "$threads"} > "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
    sleep 0.1
  done
  "$java" scripts/ServeLoad.java "http://127.0.0.1:$port/" "$data" "$clients" "$requests" \
    "--max-batch $mb --batch-wait-ms $w" | tee -a "$work/rows"
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
done
done
echo
echo "median requests/s over $rounds rounds:"
for setting in $settings; do
  mb=${setting%/*}
  w=${setting#*/}
  grep -F "| --max-batch $mb --batch-wait-ms $w |" "$work/rows" | awk -F'|' '{print $4}' | sort -n \
    | awk -v s="--max-batch $mb --batch-wait-ms $w" '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "  %s: %.0f\n", s, m}'
done
