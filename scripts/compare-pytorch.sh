#!/usr/bin/env bash
# Side-by-side speed of this engine and the PyTorch reference on the same data, settings and
# threads, alternating the two programs so that both see the same machine state.
#
#   scripts/compare-pytorch.sh [--rounds N] [--epochs E] [--threads T] [--data DIR] [--jar FILE]
#
# Each round trains E epochs (default 1; batch 64, the article's settings) with each program, Java
# first on odd rounds and PyTorch first on even ones, evaluating the 10k test set after each epoch.
# Prints every round and the medians, with the ratio Java / PyTorch: training images/s, the whole
# process's wall time (JVM or Python start, data, training, evaluations), and each program's
# training speed as a fraction of the FP32 peak of the same threads, measured before and after the
# rounds, the higher reading used (PeakFma from
# bench/target/benchmarks.jar; 11.62 MFLOP per training image, 3 x forward less conv1's input
# gradient: the dense count for both programs, though ours sums conv2's weight gradient over the
# routed positions only and so does ~1.2 MFLOP fewer). --epochs 10 is the README's main command. Needs a built jar
# (./mvnw -DskipTests package) and PyTorch for /usr/bin/python3 (apt-get install -y python3-torch).
#
# Train img/s is all training images over all training time (the JVM's JIT warm-up falls in the
# first epoch, so E = 1 is the hardest case for Java). Both evaluation figures are the pass over the
# 10,000 test images after the last epoch (warm). Peak RSS is GNU time's maximum resident set size
# of the whole command (for Java: the launcher JVM and the training JVM it starts, the larger).
# PyTorch with several threads slows down badly when other processes share the cores (OpenMP
# threads spin), so run this on an otherwise idle machine; the load average is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
epochs=1
threads=$(nproc)
data=../shared/data/mnist
jar=mnist/target/mnist.jar
python=/usr/bin/python3
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--epochs E] [--threads T] [--data DIR] [--jar FILE]" >&2; exit 2 ;;
  esac
done
# the JDK 25 that .ci/run and bench/run-kernels.sh use, unless JAVA_HOME names another
[ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$jar" ] || { echo "compare: $jar not found; build it with ./mvnw -B -DskipTests package" >&2; exit 1; }
"$python" -c "import torch" 2>/dev/null || { echo "compare: PyTorch missing for $python; apt-get install -y python3-torch" >&2; exit 1; }
reference=../shared/reference/pytorch_seed.py
[ -f "$reference" ] || { echo "compare: $reference not found" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed() {
  echo "compare: '$1' failed; the end of its output:" >&2
  tail -5 "$2" >&2
  exit 1
}

run_java() {
  local out="$work/java$1"
  /usr/bin/time -f '%e %M' -o "$out.rss" "$java" -jar "$jar" --data "$data" --epochs "$epochs" --threads "$threads" \
    --no-plot --out "$out" > "$out.log" 2>&1 || failed "$java -jar $jar" "$out.log"
  java_train[$1]=$(sed -n 's/^done: .*, training [0-9.ms]* (\([0-9]*\) img\/s).*/\1/p' "$out.log")
  java_eval[$1]=$(sed -n "s/^epoch $epochs\/$epochs: .*; eval [^(]*(\([0-9]*\) img\/s).*/\1/p" "$out.log")
  java_acc[$1]=$(sed -n "s/^epoch $epochs\/$epochs: .*test accuracy \([0-9.]*\)%.*/\1/p" "$out.log")
  java_rss[$1]=$(( $(tail -1 "$out.rss" | cut -d' ' -f2) / 1024 ))
  java_wall[$1]=$(tail -1 "$out.rss" | cut -d' ' -f1)
}

run_torch() {
  local log="$work/torch$1.log"
  /usr/bin/time -f '%e %M' -o "$log.rss" "$python" "$reference" --data "$data" --epochs "$epochs" --threads "$threads" \
    > "$log" 2>&1 || failed "$python $reference" "$log"
  torch_train[$1]=$(sed -n 's/.*train \([0-9]*\) images in \([0-9.]*\)s .*/\1 \2/p' "$log" \
    | awk '{n += $1; t += $2} END {if (t > 0) printf "%.0f", n / t}')
  torch_acc[$1]=$(sed -n 's/.*test accuracy \([0-9.]*\)%.*/\1/p' "$log" | tail -1)
  torch_eval[$1]=$(sed -n 's/.*(eval \([0-9]*\) img\/s).*/\1/p' "$log" | tail -1)
  torch_rss[$1]=$(( $(tail -1 "$log.rss" | cut -d' ' -f2) / 1024 ))
  torch_wall[$1]=$(tail -1 "$log.rss" | cut -d' ' -f1)
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

[ -x /usr/bin/time ] || { echo "compare: /usr/bin/time missing; apt-get install -y time" >&2; exit 1; }
echo "compare: $rounds rounds of $epochs epoch(s), $threads threads, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) (family $(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -1), model $(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -1))"
bench=bench/target/benchmarks.jar
# PeakFma on the same threads, GFLOP/s (empty without the benchmarks jar)
read_peak() {
  [ -f "$bench" ] || return 0
  "$java" --add-modules jdk.incubator.vector -cp "$bench" org.jresnet.bench.PeakFma "$threads" 2>/dev/null \
    | sed -n 's/^peak GFLOP\/s: //p'
}
peak_before=$(read_peak)
echo "FP32 peak on $threads threads: ${peak_before:-unknown (build bench/target/benchmarks.jar)} GFLOP/s (read again after the rounds)"
printf '%-6s %-8s %12s %12s %9s %12s %8s\n' round program "train img/s" "eval img/s" "accuracy" "peak RSS MiB" "wall s"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then run_java "$r"; run_torch "$r"; else run_torch "$r"; run_java "$r"; fi
  for v in "${java_train[$r]:-}" "${java_eval[$r]:-}" "${torch_train[$r]:-}" "${torch_eval[$r]:-}"; do
    [ -n "$v" ] || { echo "compare: round $r: a figure could not be read from the logs (output format changed?):" >&2
      tail -3 "$work/java$r.log" "$work/torch$r.log" >&2; exit 1; }
  done
  printf '%-6s %-8s %12s %12s %8s%% %12s %8s\n' "$r" java "${java_train[$r]:-?}" "${java_eval[$r]:-?}" "${java_acc[$r]:-?}" \
    "${java_rss[$r]:-?}" "${java_wall[$r]:-?}"
  printf '%-6s %-8s %12s %12s %8s%% %12s %8s\n' "$r" pytorch "${torch_train[$r]:-?}" "${torch_eval[$r]:-?}" \
    "${torch_acc[$r]:-?}" "${torch_rss[$r]:-?}" "${torch_wall[$r]:-?}"
done

jt=$(median "${java_train[@]}"); tt=$(median "${torch_train[@]}")
je=$(median "${java_eval[@]}"); te=$(median "${torch_eval[@]}")
jr=$(median "${java_rss[@]}"); tr=$(median "${torch_rss[@]}")
echo
printf '%-24s %10s %10s %8s\n' "median" java pytorch ratio
printf '%-24s %10s %10s %7.2fx\n' "train img/s ($epochs epoch(s))" "$jt" "$tt" "$(awk -v a="$jt" -v b="$tt" 'BEGIN {print a / b}')"
printf '%-24s %10s %10s %7.2fx\n' "eval img/s (10k)" "$je" "$te" "$(awk -v a="$je" -v b="$te" 'BEGIN {print a / b}')"
printf '%-24s %10s %10s %7.2fx\n' "peak RSS MiB" "$jr" "$tr" "$(awk -v a="$jr" -v b="$tr" 'BEGIN {print a / b}')"
jw=$(median "${java_wall[@]}"); tw=$(median "${torch_wall[@]}")
printf '%-24s %10s %10s %7.2fx\n' "whole process s" "$jw" "$tw" "$(awk -v a="$tw" -v b="$jw" 'BEGIN {print a / b}')"
# the higher of the two readings: on a machine whose speed drifts, neither program is flattered by
# a peak read in a slow spell
peak_after=$(read_peak)
peak=$(printf '%s\n' $peak_before $peak_after | sort -g | tail -1)
if [ -n "$peak" ]; then
  echo "FP32 peak on $threads threads: ${peak_before:-?} before, ${peak_after:-?} after the rounds; $peak used"
  printf '%-24s %9.1f%% %9.1f%%\n' "train, % of peak (dense)" "$(awk -v a="$jt" -v p="$peak" 'BEGIN {print 100 * a * 11.62e6 / (p * 1e9)}')" \
    "$(awk -v a="$tt" -v p="$peak" 'BEGIN {print 100 * a * 11.62e6 / (p * 1e9)}')"
fi
echo "(ratios: speeds java / pytorch and wall time pytorch / java, above 1 = java faster; RSS java / pytorch, below 1 = java smaller)"
