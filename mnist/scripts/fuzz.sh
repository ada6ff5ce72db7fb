#!/usr/bin/env bash
# Coverage-guided fuzzing of the IDX and safetensors readers with Jazzer (outside the test suite).
#   mnist/scripts/fuzz.sh idx|safetensors [DURATION]     e.g. mnist/scripts/fuzz.sh idx 10m
# Runs the @FuzzTest in fuzzing mode (JAZZER_FUZZ=1) for DURATION (default 10m). The corpus it
# grows stays in mnist/.cifuzz-corpus/ (not committed); a crashing input is written next to the
# committed seeds in mnist/src/test/resources/org/jresnet/mnist/<package>/<Test>Inputs/<method>/ and then
# replays in every `mvn test`. Needs core and the kernel modules installed in ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
target=${1:?usage: fuzz.sh idx|safetensors [DURATION]}
duration=${2:-10m}
case "$target" in
  idx) test=IdxFuzzTest ;;
  safetensors) test=SafetensorsFuzzTest ;;
  *) echo "unknown target '$target' (idx or safetensors)" >&2; exit 2 ;;
esac
JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$duration" ./mvnw -o -pl mnist test -Dtest="$test" \
  -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="$duration" \
  -Dsurefire.timeout=0 -Dsurefire.exitTimeout=600
