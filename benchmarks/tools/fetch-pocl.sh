#!/usr/bin/env bash
# Gives ILGPU's OpenCL backend a device on machines whose distribution ships no OpenCL that works
# (Debian 12's PoCL 3.1 lacks the generic address space ILGPU needs). When the system's OpenCL
# already has a usable device (PoCL >= 4, a GPU driver), nothing is built. Otherwise it fetches
# Debian's pocl 6.0 source package with a private apt state (its own sources list, lists and cache:
# the machine's apt configuration is never changed; the one source is the Debian archive the
# machine's own apt sources name, suite trixie), installs the build dependencies from the machine's
# own release (apt-get, as root), builds PoCL for this machine's CPU only and installs it into a
# cache folder with its own ICD vendors folder. Idempotent; prints one line. Non-zero on failure.
#
#   benchmarks/tools/fetch-pocl.sh     # -> ~/.cache/ilgpucnn/pocl-6.0, vendors in ~/.cache/ilgpucnn/opencl-vendors
#   export OCL_ICD_VENDORS=~/.cache/ilgpucnn/opencl-vendors   # what the tests set; users add it to their shell
#
# ~/.cache/ilgpucnn/opencl-vendors always ends up naming a usable device: PoCL 6.0's .icd file, or
# links to the system's own .icd files when the system's OpenCL works.
set -euo pipefail

version="6.0-6"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}"
dest="${ILGPUCNN_POCL:-$cache_root/ilgpucnn/pocl-6.0}"
vendors="$cache_root/ilgpucnn/opencl-vendors"
here="$(cd "$(dirname "$0")" && pwd)"

fail() { echo "fetch-pocl: $*" >&2; exit 1; }

mkdir -p "$cache_root/ilgpucnn"
exec 9>"$cache_root/ilgpucnn/.pocl.lock"
flock 9

link_vendors() { # $1: folder of .icd files to expose through $vendors
  local tmp
  tmp=$(mktemp -d "$cache_root/ilgpucnn/.vendors.XXXXXX")
  for icd in "$1"/*.icd; do [ -f "$icd" ] && ln -s "$icd" "$tmp/$(basename "$icd")"; done
  chmod 755 "$tmp"
  rm -rf "$vendors"
  mv "$tmp" "$vendors"
}

probe() { # usable device through the ICD loader with the given vendors folder (empty: the system's)
  command -v python3 >/dev/null || return 1
  if [ -n "$1" ]; then OCL_ICD_VENDORS="$1" python3 "$here/opencl-probe.py" >/dev/null 2>&1
  else env -u OCL_ICD_VENDORS python3 "$here/opencl-probe.py" >/dev/null 2>&1; fi
}

if [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$version" ] && [ -f "$dest/etc/OpenCL/vendors/pocl.icd" ]; then
  [ -f "$vendors/pocl.icd" ] || link_vendors "$dest/etc/OpenCL/vendors"
  echo "PoCL $version already in $dest (OCL_ICD_VENDORS=$vendors)"
  exit 0
fi
if [ -d /etc/OpenCL/vendors ] && probe ""; then
  link_vendors /etc/OpenCL/vendors
  echo "the system's OpenCL has a usable device; nothing built (OCL_ICD_VENDORS=$vendors)"
  exit 0
fi

command -v apt-get >/dev/null || fail "apt-get not found; install an OpenCL implementation with OpenCL 2.0 and the generic address space (PoCL >= 4 or a GPU driver) and the ICD loader's libOpenCL.so yourself."
. /etc/os-release
deps=(cmake make pkg-config dpkg-dev g++ binutils python3 ocl-icd-dev ocl-icd-opencl-dev libhwloc-dev zlib1g-dev libzstd-dev)
case "${VERSION_CODENAME:-}" in
  bookworm) llvm=16 ;;
  *) fail "no PoCL 6.0 build recipe for ${PRETTY_NAME:-this system}; install its pocl-opencl-icd (PoCL >= 4) and ocl-icd-opencl-dev instead." ;;
esac
deps+=("llvm-$llvm-dev" "clang-$llvm" "libclang-$llvm-dev" "libclang-cpp$llvm-dev")
missing=()
for p in "${deps[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "the build needs ${missing[*]}; run this script as root or install them with apt-get."
  { apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends "${missing[@]}"; } \
    >"$cache_root/ilgpucnn/pocl-apt.log" 2>&1 \
    || fail "apt-get install ${missing[*]} failed: $(tail -1 "$cache_root/ilgpucnn/pocl-apt.log")"
fi

# The machine's own Debian archive URI (a path ending in /debian), as fetch-cuda-tools.sh finds it.
archive=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  archive=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
  [ -n "$archive" ] && break
done
if [ -z "$archive" ]; then
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    archive=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }' "$f")
    [ -n "$archive" ] && break
  done
fi
[ -n "$archive" ] || fail "no Debian archive URI (one ending in /debian) found in the apt sources."
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || fail "$keyring is missing; install the debian-archive-keyring package."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/state" "$work/src"
echo "deb-src [signed-by=$keyring] $archive trixie main" > "$work/sources.list"
touch "$work/status"
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=/dev/null"
  -o "Dir::State=$work/state" -o "Dir::State::Lists=$work/lists" -o "Dir::State::status=$work/status"
  -o "Dir::Cache=$work/cache" -o "Debug::NoLocking=1" -q
)
log="$cache_root/ilgpucnn/pocl-build.log"
apt-get "${apt_opts[@]}" update >"$log" 2>&1 || fail "apt-get update on the private sources list ($archive trixie main, deb-src) failed: $(tail -1 "$log")"
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only "pocl=$version") >>"$log" 2>&1 \
  || fail "apt-get source pocl=$version failed: $(tail -1 "$log")"
dpkg-source --no-check -x "$work/src/pocl_$version.dsc" "$work/pocl" >>"$log" 2>&1 || fail "dpkg-source -x failed: see $log"

# The kernel library is compiled for one CPU level: LLVM's name for this CPU, or the x86-64 level its
# flags reach when LLVM $llvm does not know it (it calls a Zen 5 EPYC "unknown").
host_cpu=$("llc-$llvm" --version 2>/dev/null | sed -n 's/.*Host CPU: *//p' | tr -d '()')
cpu_opts=()
if [ -z "$host_cpu" ] || [ "$host_cpu" = unknown ] || [ "$host_cpu" = generic ]; then
  flags=" $(grep -m1 '^flags' /proc/cpuinfo) "
  has() { for f in "$@"; do [[ "$flags" == *" $f "* ]] || return 1; done; }
  if has avx512f avx512bw avx512cd avx512dq avx512vl; then level=x86-64-v4
  elif has avx2 bmi1 bmi2 fma movbe f16c; then level=x86-64-v3
  elif has sse4_2 popcnt ssse3; then level=x86-64-v2
  else level=x86-64; fi
  cpu_opts=("-DLLC_HOST_CPU=$level")
fi

rm -rf "$dest"
cd "$work" # CMake's compiler probes leave files in the working folder
cmake -S "$work/pocl" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$dest" \
  -DWITH_LLVM_CONFIG="/usr/bin/llvm-config-$llvm" -DCMAKE_POSITION_INDEPENDENT_CODE=ON "${cpu_opts[@]}" \
  -DENABLE_ICD=ON -DENABLE_HOST_CPU_DEVICES=ON -DENABLE_SPIRV=OFF -DENABLE_LEVEL0=OFF -DENABLE_CUDA=OFF \
  -DENABLE_HSA=OFF -DENABLE_TESTS=OFF -DENABLE_EXAMPLES=OFF -DENABLE_POCLCC=OFF -DENABLE_REMOTE_CLIENT=OFF \
  -DENABLE_REMOTE_SERVER=OFF -DENABLE_PROXY_DEVICE=OFF >>"$log" 2>&1 || fail "PoCL's cmake configure failed: see $log"
cmake --build "$work/build" -j "$(nproc)" >>"$log" 2>&1 || fail "the PoCL build failed: see $log"
cmake --install "$work/build" >>"$log" 2>&1 || fail "the PoCL install failed: see $log"
[ -f "$dest/etc/OpenCL/vendors/pocl.icd" ] || fail "the PoCL install has no etc/OpenCL/vendors/pocl.icd."
probe "$dest/etc/OpenCL/vendors" || fail "the PoCL just built in $dest shows no usable OpenCL device: see $log"
link_vendors "$dest/etc/OpenCL/vendors"
echo "$version" > "$dest/VERSION.tmp" && mv "$dest/VERSION.tmp" "$dest/VERSION"
echo "PoCL $version built into $dest (OCL_ICD_VENDORS=$vendors)"
