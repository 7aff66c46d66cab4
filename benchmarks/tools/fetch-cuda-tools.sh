#!/usr/bin/env bash
# Fetches NVIDIA's assembler (ptxas) and disassemblers (cuobjdump, nvdisasm) of CUDA 12.4 from
# Debian's non-free nvidia-cuda-toolkit package into a cache folder, without a GPU, a CUDA driver
# or any change to this machine's apt configuration: apt runs on a private state (its own sources
# list, lists and cache folders) whose one source is the Debian archive this machine's own apt
# sources already name. The .deb's sha256 is checked; only the three tools are kept.
# Idempotent; prints one line (the folder holding the tools). Exit status non-zero on failure.
#
#   benchmarks/tools/fetch-cuda-tools.sh            # -> ~/.cache/ilgpucnn/cuda-12.4/bin
#   ILGPUCNN_CUDA_TOOLS=/some/dir fetch-cuda-tools.sh  # another destination
set -euo pipefail

version="12.4.131~12.4.1-2"
sha256="cd5fe85aee38d108b315f408a688641478f2402622a10c677478eb7a6c4e5319"
tools=(ptxas cuobjdump nvdisasm)
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}"
dest="${ILGPUCNN_CUDA_TOOLS:-$cache_root/ilgpucnn/cuda-12.4}"
bin="$dest/bin"

fail() { echo "fetch-cuda-tools: $*" >&2; exit 1; }

have_all() {
  for t in "${tools[@]}"; do [ -x "$bin/$t" ] || return 1; done
  [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$version" ]
}

if have_all; then
  echo "CUDA 12.4 tools (ptxas, cuobjdump, nvdisasm) already in $bin"
  exit 0
fi

command -v apt-get >/dev/null || fail "apt-get not found; this script needs a Debian-like system (or put ptxas, cuobjdump and nvdisasm of CUDA 12.4 in $bin yourself)."
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found; install dpkg or put the tools in $bin yourself."

# The machine's own Debian archive URI: the first URIs:/deb line of its apt sources that points
# at a plain Debian archive (a path ending in /debian), never a host written here.
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
[ -n "$archive" ] || fail "no Debian archive URI (one ending in /debian) found in /etc/apt/sources.list or /etc/apt/sources.list.d; add one or put the tools in $bin yourself."
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || fail "$keyring is missing; install the debian-archive-keyring package."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/state" "$work/pkg"
echo "deb [signed-by=$keyring] $archive trixie non-free" > "$work/sources.list"
touch "$work/status"
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::Etc::Preferences=/dev/null"
  -o "Dir::Etc::PreferencesParts=/dev/null"
  -o "Dir::State=$work/state"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::State::status=$work/status"
  -o "Dir::Cache=$work/cache"
  -o "APT::Architecture=amd64"
  -o "Debug::NoLocking=1"
  -q
)
apt-get "${apt_opts[@]}" update >"$work/apt.log" 2>&1 \
  || fail "apt-get update on the private sources list ($archive trixie non-free) failed: $(tail -1 "$work/apt.log")"
(cd "$work/pkg" && apt-get "${apt_opts[@]}" download "nvidia-cuda-toolkit=$version") >>"$work/apt.log" 2>&1 \
  || fail "apt-get download nvidia-cuda-toolkit=$version failed: $(tail -1 "$work/apt.log")"
deb=$(ls "$work"/pkg/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "apt-get download produced no .deb."
actual=$(sha256sum "$deb" | cut -d' ' -f1)
[ "$actual" = "$sha256" ] || fail "sha256 of $(basename "$deb") is $actual, expected $sha256; not using it."

dpkg-deb -x "$deb" "$work/x"
mkdir -p "$dest"
staging=$(mktemp -d "$dest/.bin.XXXXXX")
chmod 755 "$staging"
for t in "${tools[@]}"; do
  src=$(find "$work/x" -type f -name "$t" -perm -u+x | head -1)
  [ -n "$src" ] || fail "$t is not in the package."
  cp "$src" "$staging/$t"
  chmod 755 "$staging/$t"
done
"$staging/ptxas" --version >/dev/null 2>&1 || fail "the extracted ptxas does not run on this machine."
rm -rf "$bin"
mv "$staging" "$bin"
echo "$version" > "$dest/VERSION.tmp" && mv "$dest/VERSION.tmp" "$dest/VERSION"
echo "CUDA 12.4 tools (ptxas, cuobjdump, nvdisasm) fetched into $bin"
