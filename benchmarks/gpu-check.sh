#!/usr/bin/env bash
# The GPU visit's last command (benchmarks/GPU-VISIT.md is the runbook). On the GPU machine, in
# the repository root, with the transfer folders .publish/gpu-1 .. gpu-N that
# benchmarks/publish-for-gpu.sh made (carried by earlier commands, kept on the warm machine):
#   0. join: unpack the self-contained tests + CLI (no .NET needed), gather the CIFAR-10 shards of
#      every folder into .publish/data and check them against each folder's SHA256SUMS;
#   1. ilgpucnn devices;
#   2. ilgpucnn selftest --device cuda (every kernel variant and model steps vs the CPU reference);
#   3. ilgpucnn bench --device cuda (images/s and the per-op table);
#   4. the PyTorch peer, fp32 and TF32 (benchmarks/peers/pytorch_vgg.py), when torch imports;
#   5. the full recipe: train --device cuda on all 50,000 training rows, 100 epochs with
#      EarlyStopping, stopped cleanly by --max-minutes at the time left;
#   6. the test suite on CUDA with the time left after that;
# each step capped by `timeout`, so the whole run ends inside --minutes. It writes one summary
# table and copies the run's metrics, history, curves and report into the output folder
# ($OUT, else ./gpu-check-out): 8 files at most, each far under 16 MiB.
#
#   benchmarks/gpu-check.sh [--minutes 7.5] [--device cuda|cpu] [--tiny]
#
# --device cpu --tiny is the rehearsal on a machine without a GPU (benchmarks/RESULTS.md): the
# same steps on the CPU accelerator with tiny limits (width 0.125, 300 training rows, 2 epochs,
# the quick self-test, a few bench steps, a test filter).
set -uo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
MINUTES=7.5
DEVICE=cuda
TINY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --device) DEVICE="$2"; shift 2 ;;
    --tiny) TINY=yes; shift ;;
    *) echo "unknown option $1 (use --minutes M, --device cuda|cpu, --tiny)" >&2; exit 2 ;;
  esac
done
OUTDIR="${OUT:-$PWD/gpu-check-out}"
WORK=.publish/check            # logs and the run folder stay on the machine; OUTDIR gets 8 files
rm -rf "$WORK"
mkdir -p "$OUTDIR" "$WORK"
LOG="$WORK/log.txt"
: >"$LOG"
STEPS=()                        # "name|seconds|result" per step, for the summary

elapsed() { echo $(( $(date +%s) - START )); }
left() { python3 -c "print(max(0, int($MINUTES * 60 - $(elapsed))))"; }
note() { echo "$*" | tee -a "$LOG"; }
# step NAME CAP_SECONDS COMMAND...: runs with a time cap, output to $WORK/NAME.txt and the log.
step() {
  local name="$1" cap="$2"; shift 2
  local t0 rc
  t0=$(date +%s)
  note "== $name (cap ${cap} s, $(elapsed) s into the run)"
  timeout --kill-after=10 "$cap" "$@" >"$WORK/$name.txt" 2>&1
  rc=$?
  cat "$WORK/$name.txt" >>"$LOG"
  local took=$(( $(date +%s) - t0 ))
  local result="exit $rc"
  [ "$rc" = 124 ] || [ "$rc" = 137 ] && result="stopped at its ${cap} s cap"
  STEPS+=("$name|$took|$result")
  note "-- $name: $result after $took s"
  return $rc
}

# 0. join the transfer folders
t0=$(date +%s)
CLI=.publish/tests/ilgpucnn
TESTS=.publish/tests/IlgpuCnn.Tests
JOIN="ok"
if [ ! -x "$CLI" ]; then
  BUNDLE=$(ls .publish/gpu-*/gpu.tar.xz 2>/dev/null | head -1)
  if [ -n "$BUNDLE" ]; then
    tar -xJf "$BUNDLE" -C .publish || JOIN="unpacking $BUNDLE failed"
  else
    JOIN="no .publish/gpu-*/gpu.tar.xz and no .publish/tests: carry the folders of benchmarks/publish-for-gpu.sh first (GPU-VISIT.md)"
  fi
fi
mkdir -p .publish/data
for folder in .publish/gpu-*; do
  [ -d "$folder" ] || continue
  if [ -f "$folder/SHA256SUMS" ]; then
    (cd "$folder" && sha256sum --quiet -c SHA256SUMS) >>"$LOG" 2>&1 || JOIN="checksums of $folder do not match (a transfer broke?)"
  fi
  for f in "$folder"/data/*.parquet; do
    [ -e "$f" ] && ln -f "$f" .publish/data/ 2>/dev/null || { [ -e "$f" ] && cp -f "$f" .publish/data/; }
  done
done
SHARDS=$(ls .publish/data/*.parquet 2>/dev/null | wc -l)
STEPS+=("join|$(( $(date +%s) - t0 ))|$JOIN; $SHARDS shards in .publish/data")
note "== join: $JOIN; $SHARDS shards in .publish/data: $(ls .publish/data 2>/dev/null | tr '\n' ' ')"
if [ "$JOIN" != ok ] && [ ! -x "$CLI" ]; then
  note "cannot continue without the CLI"
fi

if [ -n "$TINY" ]; then
  SELFTEST=(--quick --only conv2d dense batchnorm adamw)
  BENCH=(--steps 2 --width 0.25 --batch-size 16)
  PEER=(--steps 5 --width 0.25)
  TRAIN=(--width 0.125 --train-limit 300 --test-limit 100 --epochs 2 --batch-size 32)
  TEST_FILTER=(-class "IlgpuCnn.Tests.Kernels.Conv2dKernelsTests" -class "IlgpuCnn.Tests.Data.CifarShardsTests")
  CAPS=(30 240 120 60)   # devices selftest bench peer
else
  SELFTEST=()
  BENCH=(--steps 50)
  PEER=(--steps 100)
  TRAIN=()
  TEST_FILTER=()
  CAPS=(30 75 60 45)
fi

# 1-4
step devices "${CAPS[0]}" "$CLI" devices
step selftest "${CAPS[1]}" "$CLI" selftest --device "$DEVICE" "${SELFTEST[@]}"
step bench "${CAPS[2]}" "$CLI" bench --device "$DEVICE" "${BENCH[@]}"
PEER_OK=""
if python3 -c "import torch" >/dev/null 2>&1; then
  step peer-fp32 "${CAPS[3]}" python3 benchmarks/peers/pytorch_vgg.py "${PEER[@]}" && PEER_OK=yes
  step peer-tf32 "${CAPS[3]}" python3 benchmarks/peers/pytorch_vgg.py "${PEER[@]}" --tf32
else
  STEPS+=("peer|0|torch does not import here: skipped")
fi

# 5. the recipe, capped so that a quarter of what is left (at least 45 s) stays for the tests
LEFT=$(left)
RESERVE=$(python3 -c "print(max(45, int($LEFT * 0.25)))")
TRAIN_MIN=$(python3 -c "print(round(max(0.05, ($LEFT - $RESERVE - 60) / 60), 2))")
step train $(( LEFT - RESERVE )) "$CLI" train --device "$DEVICE" --data .publish/data --out "$WORK/run" --max-minutes "$TRAIN_MIN" "${TRAIN[@]}"

# 6. the tests on CUDA with the time left (15 s kept for the summary)
LEFT=$(left)
if [ "$LEFT" -gt 30 ]; then
  TEST_DEVICE="$DEVICE"
  step tests $(( LEFT - 15 )) env ILGPUCNN_TEST_DEVICE="$TEST_DEVICE" ILGPUCNN_DATA="$PWD/.publish/data" "$TESTS" "${TEST_FILTER[@]}"
else
  STEPS+=("tests|0|no time left")
fi

# Summary
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
{
  echo "# gpu-check $(date -u +%Y-%m-%dT%H:%M:%SZ), device $DEVICE${TINY:+ (tiny rehearsal limits)}, budget $MINUTES min"
  echo
  echo "| step | seconds | result |"
  echo "| --- | --- | --- |"
  for s in "${STEPS[@]}"; do IFS='|' read -r n t r <<<"$s"; echo "| $n | $t | $r |"; done
  echo
  echo "| check | result |"
  echo "| --- | --- |"
  echo "| device | $(grep -m1 -E '^cuda' "$WORK/devices.txt" 2>/dev/null || head -1 "$WORK/devices.txt" 2>/dev/null) |"
  echo "| selftest | $(grep -E 'outputs agree' "$WORK/selftest.txt" 2>/dev/null | tail -1) $(grep -m1 '^error' "$WORK/selftest.txt" 2>/dev/null) |"
  echo "| ilgpucnn train images/s | $(grep -E '^Training:' "$WORK/bench.txt" 2>/dev/null | sed 's/Training: *//') |"
  echo "| ilgpucnn inference images/s | $(grep -E '^Inference:' "$WORK/bench.txt" 2>/dev/null | sed 's/Inference: *//') |"
  if [ -n "$PEER_OK" ]; then
    for f in fp32 tf32; do
      echo "| PyTorch $f train images/s, s/epoch | $(tail -1 "$WORK/peer-$f.txt" | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print(d['train_images_per_s'], ',', d['seconds_per_40000_image_epoch'])" 2>/dev/null) |"
    done
  fi
  M="$WORK/run/metrics.json"
  if [ -f "$M" ]; then
    echo "| recipe | $(json "$M" "f\"test accuracy {d['test_accuracy']:.4f}, {d['epochs_run']} epochs ({d['seconds_per_epoch']} s/epoch), best epoch {d['best_epoch']}, stopped by {d.get('stopped_by')}, {d['train_rows']:,} training rows\"") |"
  else
    echo "| recipe | no metrics.json: see log.txt |"
  fi
  echo "| tests | $(grep -E 'Passed!|Failed!|Total: [0-9]+|passed|failed' "$WORK/tests.txt" 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | tail -1) |"
  echo "| whole run | $(elapsed) s |"
} >"$WORK/summary.md"
cat "$WORK/summary.md"

# The output folder: 8 files at most.
cp "$WORK/summary.md" "$OUTDIR/summary.md"
for f in metrics.json history.csv curves.png classification_report.txt; do
  [ -f "$WORK/run/$f" ] && cp "$WORK/run/$f" "$OUTDIR/$f"
done
cp "$WORK/selftest.txt" "$OUTDIR/selftest.txt" 2>/dev/null
cp "$WORK/bench.txt" "$OUTDIR/bench.txt" 2>/dev/null
tail -c 8000000 "$LOG" | sed 's/\x1b\[[0-9;]*m//g' >"$OUTDIR/log.txt"
ls -la "$OUTDIR"
