#!/usr/bin/env bash
# One-shot GPU check: on a machine with a CUDA GPU, in one go —
#   1. build (with the .NET SDK) or use a self-contained publish made elsewhere (.publish/),
#   2. list devices,
#   3. run the test suite against CUDA (ILGPUCNN_TEST_DEVICE=cuda),
#   4. `ilgpucnn bench` (training/inference images/s, per-op profile),
#   5. the PyTorch peer on the same model, if `python3 -c "import torch"` works,
#   6. train the recipe for 3 epochs (data from --data DIR, $ILGPUCNN_DATA or the cache),
# and print one table. Logs go to $OUT (or ./gpu-check-out).
#
#   benchmarks/gpu-check.sh [--data DIR] [--epochs 3] [--train-limit N]
#
# Without .NET on the GPU machine: run benchmarks/publish-for-gpu.sh [--data DIR] where .NET is
# installed; it leaves .publish/gpu.tar.xz (self-contained linux-x64 tests + CLI, and a data
# subset), which this script unpacks. Carry .publish (e.g. the device tool's `carry`).
set -uo pipefail
cd "$(dirname "$0")/.."
DATA="${ILGPUCNN_DATA:-}"
EPOCHS=3
LIMIT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --train-limit) LIMIT="--train-limit $2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
LOG="${OUT:-$PWD/gpu-check-out}"
mkdir -p "$LOG"

if command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks 2>/dev/null | grep -q .; then
  MODE=sdk
  dotnet build IlgpuCnn.sln -c Release >"$LOG/build.log" 2>&1 || { echo "build failed (see $LOG/build.log)"; exit 1; }
  CLI=(dotnet src/IlgpuCnn.Cli/bin/Release/net10.0/ilgpucnn.dll)
  TESTS=(dotnet test IlgpuCnn.sln -c Release --no-build)
else
  MODE=publish
  if [ ! -d .publish/tests ] && [ -f .publish/gpu.tar.xz ]; then tar -xJf .publish/gpu.tar.xz -C .publish; fi
  [ -x .publish/tests/ilgpucnn ] || { echo "no .NET SDK and no .publish/tests/ilgpucnn: run benchmarks/publish-for-gpu.sh where .NET is installed"; exit 1; }
  CLI=(.publish/tests/ilgpucnn)
  TESTS=(.publish/tests/IlgpuCnn.Tests)
fi

"${CLI[@]}" devices | tee "$LOG/devices.txt"

echo "== tests on CUDA"
if [ -x "${TESTS[0]}" ] || [ "$MODE" = sdk ]; then
  ILGPUCNN_TEST_DEVICE=cuda "${TESTS[@]}" >"$LOG/tests.log" 2>&1; TEST_RC=$?
else
  echo "no test binary in .publish/tests" >"$LOG/tests.log"; TEST_RC=127
fi
TEST_LINE=$(grep -E "Passed!|Failed!|Total: [0-9]+" "$LOG/tests.log" | tail -1 | sed "s/\x1b\[[0-9;]*m//g")
echo "$TEST_LINE (exit $TEST_RC)"

echo "== bench"
"${CLI[@]}" bench --device cuda --batch-size 64 --steps 100 | tee "$LOG/bench.txt"

echo "== PyTorch peer"
PEER=""
if python3 -c "import torch" >/dev/null 2>&1; then
  python3 benchmarks/peers/pytorch_vgg.py --steps 200 | tee "$LOG/peer-fp32.json"
  python3 benchmarks/peers/pytorch_vgg.py --steps 200 --tf32 | tee "$LOG/peer-tf32.json"
  PEER=yes
fi

echo "== train the recipe for $EPOCHS epochs"
DATA_ARG=()
[ -n "$DATA" ] && DATA_ARG=(--data "$DATA")
"${CLI[@]}" train --device cuda --epochs "$EPOCHS" $LIMIT "${DATA_ARG[@]}" --out "$LOG/run" 2>&1 | tee "$LOG/train.log"

echo
echo "| check | result |"
echo "| --- | --- |"
echo "| device | $(head -1 "$LOG/devices.txt") |"
echo "| tests on CUDA | ${TEST_LINE:-not run} (exit $TEST_RC) |"
echo "| ilgpucnn train images/s | $(grep -E '^Training:' "$LOG/bench.txt" | sed 's/Training: *//') |"
echo "| ilgpucnn inference images/s | $(grep -E '^Inference:' "$LOG/bench.txt" | sed 's/Inference: *//') |"
if [ -n "$PEER" ]; then
  for f in fp32 tf32; do
    echo "| PyTorch $f train images/s, s/epoch | $(python3 -c "import json;d=json.load(open('$LOG/peer-$f.json'));print(d['train_images_per_s'], ',', d['seconds_per_40000_image_epoch'])") |"
  done
else
  echo "| PyTorch peer | torch not importable |"
fi
if [ -f "$LOG/run/metrics.json" ]; then
  echo "| recipe, $EPOCHS epochs | $(python3 -c "import json;d=json.load(open('$LOG/run/metrics.json'));print(f\"{d['seconds_per_epoch']} s/epoch, test accuracy {d['test_accuracy']:.4f}, {d['train_rows']} training rows\")" 2>/dev/null || cat "$LOG/run/metrics.json") |"
else
  echo "| recipe, $EPOCHS epochs | failed: see $LOG/train.log |"
fi
