#!/usr/bin/env bash
# Builds what benchmarks/gpu-check.sh needs on a GPU machine that has no .NET: a self-contained
# linux-x64 publish of the test suite (an xunit v3 executable) with the CLI's self-contained
# launcher beside it (one copy of the runtime serves both), packed with xz into
# .publish/gpu.tar.xz (git-ignored; about 40 MB). Optional: --data DIR --rows N also packs the
# first N training and N/4 test rows of CIFAR-10 as Parquet (ilgpucnn data --export) into
# .publish/data (4,000 rows ≈ 9 MB: the device tool carries 64 MiB per call in all).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=""
ROWS=4000
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
rm -rf .publish
mkdir -p .publish
common=(-c Release -r linux-x64 --self-contained true -p:PublishTrimmed=false -p:DebugType=none -p:GenerateDocumentationFile=false)
dotnet publish src/IlgpuCnn.Cli "${common[@]}" -o .publish/cli
dotnet publish tests/IlgpuCnn.Tests "${common[@]}" -o .publish/tests
for f in ilgpucnn ilgpucnn.dll ilgpucnn.deps.json ilgpucnn.runtimeconfig.json; do cp .publish/cli/$f .publish/tests/; done
rm -rf .publish/cli
# ONNX Runtime's package copies its Windows natives even into a linux-x64 publish (17 MB): not needed here.
rm -f .publish/tests/onnxruntime.dll .publish/tests/onnxruntime_providers_shared.dll
.publish/tests/ilgpucnn summary >/dev/null
parts=(tests)
if [ -n "$DATA" ]; then
  .publish/tests/ilgpucnn data --data "$DATA" --export .publish/data --train-limit "$ROWS" --test-limit $((ROWS / 4))
  parts+=(data)
fi
tar -C .publish -cf - "${parts[@]}" | xz -9 -T2 > .publish/gpu.tar.xz
rm -rf .publish/tests .publish/data
ls -la .publish/gpu.tar.xz
echo "carry .publish to the GPU machine and run: benchmarks/gpu-check.sh [--data .publish/data]"
