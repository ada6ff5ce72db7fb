#!/usr/bin/env bash
# Side-by-side speed of this engine and the PyTorch reference on the same data, settings and
# threads, alternating the two programs so that both see the same machine state.
#
#   scripts/compare-pytorch.sh [--rounds N] [--threads T] [--data DIR] [--jar FILE]
#
# Each round trains one epoch (batch 64, the article's settings) with each program, Java first on
# odd rounds and PyTorch first on even ones, then evaluates the 10k test set. Prints every round
# and the medians, with the ratio Java / PyTorch. Needs a built jar (./mvnw -DskipTests package)
# and PyTorch for /usr/bin/python3 (apt-get install -y python3-torch).
#
# Both evaluation figures are the pass over the 10,000 test images right after the epoch (warm).
# PyTorch with several threads slows down badly when other processes share the cores (OpenMP
# threads spin), so run this on an otherwise idle machine; the load average is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
threads=$(nproc)
data=../shared/data/mnist
jar=mnist/target/mnist.jar
python=/usr/bin/python3
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--threads T] [--data DIR] [--jar FILE]" >&2; exit 2 ;;
  esac
done
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$jar" ] || { echo "compare: $jar not found; build it with ./mvnw -B -DskipTests package" >&2; exit 1; }
"$python" -c "import torch" 2>/dev/null || { echo "compare: PyTorch missing for $python; apt-get install -y python3-torch" >&2; exit 1; }
reference=../shared/reference/pytorch_seed.py
[ -f "$reference" ] || { echo "compare: $reference not found" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_java() {
  local out="$work/java$1"
  "$java" -jar "$jar" --data "$data" --epochs 1 --threads "$threads" --no-plot --out "$out" > "$out.log" 2>&1
  java_train[$1]=$(sed -n 's/^epoch 1\/1: .*(\([0-9]*\) img\/s); eval .*/\1/p' "$out.log")
  java_eval[$1]=$(sed -n 's/^epoch 1\/1: .*; eval .*(\([0-9]*\) img\/s)$/\1/p' "$out.log")
  java_acc[$1]=$(sed -n 's/^epoch 1\/1: .*test accuracy \([0-9.]*\)%.*/\1/p' "$out.log")
}

run_torch() {
  local log="$work/torch$1.log"
  "$python" "$reference" --data "$data" --epochs 1 --threads "$threads" > "$log" 2>&1
  torch_train[$1]=$(sed -n 's/.*train [0-9]* images in [0-9.]*s (\([0-9]*\) img\/s).*/\1/p' "$log")
  torch_acc[$1]=$(sed -n 's/.*test accuracy \([0-9.]*\)%.*/\1/p' "$log")
  torch_eval[$1]=$(sed -n 's/.*(eval \([0-9]*\) img\/s).*/\1/p' "$log")
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "compare: $rounds rounds, $threads threads, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
printf '%-6s %-8s %12s %12s %9s\n' round program "train img/s" "eval img/s" "accuracy"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then run_java "$r"; run_torch "$r"; else run_torch "$r"; run_java "$r"; fi
  printf '%-6s %-8s %12s %12s %8s%%\n' "$r" java "${java_train[$r]:-?}" "${java_eval[$r]:-?}" "${java_acc[$r]:-?}"
  printf '%-6s %-8s %12s %12s %8s%%\n' "$r" pytorch "${torch_train[$r]:-?}" "${torch_eval[$r]:-?}" "${torch_acc[$r]:-?}"
done

jt=$(median "${java_train[@]}"); tt=$(median "${torch_train[@]}")
je=$(median "${java_eval[@]}"); te=$(median "${torch_eval[@]}")
echo
printf '%-22s %10s %10s %8s\n' "median" java pytorch ratio
printf '%-22s %10s %10s %7.2fx\n' "train img/s (1 epoch)" "$jt" "$tt" "$(awk -v a="$jt" -v b="$tt" 'BEGIN {print a / b}')"
printf '%-22s %10s %10s %7.2fx\n' "eval img/s (10k)" "$je" "$te" "$(awk -v a="$je" -v b="$te" 'BEGIN {print a / b}')"
