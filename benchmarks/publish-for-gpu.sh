#!/usr/bin/env bash
# Makes the transfer folders of a GPU visit (benchmarks/GPU-VISIT.md): .publish/gpu-1 .. gpu-N,
# each at most --folder-mb MiB (default 60; the device tool carries 64 MiB per command, the
# repository's own files included). The LAST folder holds gpu.tar.xz: a self-contained linux-x64
# publish of the test suite (an xunit v3 executable) with the CLI's launcher beside it (one copy
# of the runtime serves both), so the GPU machine needs no .NET. With --data DIR, the whole of
# CIFAR-10 is exported as Hugging Face shards of at most --shard-mb MiB (ilgpucnn data --export,
# verified row by row against the source) and the shards are packed first-fit into the folders,
# the bundle's folder last. Each folder has a SHA256SUMS that gpu-check.sh checks after the join.
#
#   benchmarks/publish-for-gpu.sh [--data DIR] [--shard-mb 10] [--folder-mb 60]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=""
SHARD_MB=10
FOLDER_MB=60
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --shard-mb) SHARD_MB="$2"; shift 2 ;;
    --folder-mb) FOLDER_MB="$2"; shift 2 ;;
    *) echo "unknown option $1 (use --data DIR, --shard-mb N, --folder-mb N)" >&2; exit 2 ;;
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
tar -C .publish -cf - tests | xz -9 -T2 > .publish/gpu.tar.xz
if [ -n "$DATA" ]; then
  .publish/tests/ilgpucnn data --data "$DATA" --export .publish/shards --shard-mb "$SHARD_MB"
fi
rm -rf .publish/tests

# First-fit packing: the bundle fills the last folder first, shards go in order where they fit.
python3 - "$FOLDER_MB" <<'EOF'
import hashlib, os, shutil, sys
limit = int(float(sys.argv[1]) * 1024 * 1024)
bundle = ".publish/gpu.tar.xz"
shards = sorted(os.path.join(".publish/shards", f) for f in os.listdir(".publish/shards")) if os.path.isdir(".publish/shards") else []
size = os.path.getsize
if size(bundle) > limit or any(size(s) > limit for s in shards):
    sys.exit(f"a file is larger than the {limit:,}-byte folder limit: lower --shard-mb or raise --folder-mb")
folders = [[bundle]]            # folders[0] becomes the last one (the bundle's)
for s in shards:
    for f in folders:
        if sum(size(x) for x in f) + size(s) <= limit:
            f.append(s)
            break
    else:
        folders.append([s])
folders = folders[1:] + folders[:1]
for i, files in enumerate(folders, 1):
    d = f".publish/gpu-{i}"
    os.makedirs(os.path.join(d, "data"), exist_ok=True)
    sums = []
    for f in files:
        rel = os.path.basename(f) if f == bundle else os.path.join("data", os.path.basename(f))
        shutil.move(f, os.path.join(d, rel))
        sums.append(f"{hashlib.sha256(open(os.path.join(d, rel), 'rb').read()).hexdigest()}  {rel}\n")
    open(os.path.join(d, "SHA256SUMS"), "w").writelines(sums)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(d) for f in fs)
    print(f"{d}: {total:,} bytes ({total / 2**20:.1f} MiB), {len(files)} files{' incl. gpu.tar.xz' if i == len(folders) else ''}")
EOF
rm -rf .publish/shards
echo "carry .publish/gpu-1 .. gpu-N one per command, the last one with: benchmarks/gpu-check.sh (see benchmarks/GPU-VISIT.md)"
