#!/usr/bin/env bash
# Warm evaluation of the 10k MNIST test set, side by side in one JVM, rounds alternating: ONNX
# Runtime for Java (CPU, 2 intra-op threads, ALL_OPT, batch 1000) against this engine (simd, 2
# threads, the app's Evaluation), on the same trained model. The model is exported to ONNX from
# the PyTorch reference network with our safetensors loaded (torch.onnx.export, opset 13), so both
# engines run the same weights; each prints its accuracy, which must agree.
#
#   scripts/compare-ort.sh MODEL.safetensors [--data DIR] [--batch N]
#
# Needs the built mnist.jar (./mvnw -B -DskipTests package), PyTorch for /usr/bin/python3
# (apt-get install -y python3-torch) and fetches com.microsoft.onnxruntime:onnxruntime:1.22.0
# into ~/.m2 with ./mvnw. Rounds 0-1 are warm-up; the median of rounds 2-11 is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 MODEL.safetensors [--data DIR] [--batch N]" >&2; exit 2; }
model=$1; shift
data=../shared/data/mnist
batch=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    *) echo "usage: $0 MODEL.safetensors [--data DIR] [--batch N]" >&2; exit 2 ;;
  esac
done
[ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
jar=mnist/target/mnist.jar
[ -f "$jar" ] || { echo "compare-ort: $jar not found; build it with ./mvnw -B -DskipTests package" >&2; exit 1; }
[ -f "$model" ] || { echo "compare-ort: $model not found (train one: java -jar $jar --data $data)" >&2; exit 1; }
ort=$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.22.0/onnxruntime-1.22.0.jar
[ -f "$ort" ] || ./mvnw -B -q dependency:get -Dartifact=com.microsoft.onnxruntime:onnxruntime:1.22.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 scripts/ort/export_onnx.py "$model" "$work/model.onnx" 2>/dev/null
"$JAVA_HOME/bin/javac" -cp "$jar:$ort" -d "$work" scripts/ort/OrtCompare.java
echo "compare-ort: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 \
  -XX:+UseSerialGC -cp "$work:$jar:$ort" OrtCompare "$data" "$work/model.onnx" "$model" "$batch" 2>&1 | grep -v '^WARNING'
