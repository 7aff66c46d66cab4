#!/usr/bin/env python3
"""Marks a symbol-version requirement (e.g. GLIBCXX_3.4.32) weak in every libLibTorchSharp.so under a
folder: sets VER_FLG_WEAK in the matching Vernaux entries of .gnu.version_r, so glibc's loader no
longer refuses the library when the system's libstdc++ lacks that version. Patches the files in
place (a build output's copies, never a package cache's); prints one line per file changed.

    weak-version-need.py FOLDER VERSION
"""
import os
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def patch(path, version):
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2:
            return False
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
        changed = False
        for sec in sections:
            if sec[1] != SHT_GNU_VERNEED:
                continue
            strtab = sections[sec[6]][4]
            offset = sec[4]
            for _ in range(sec[7]):  # sh_info: number of Verneed entries
                _, cnt, _, aux, nxt = struct.unpack_from("<HHIII", data, offset)
                a = offset + aux
                for _ in range(cnt):
                    _, flags, _, name, anext = struct.unpack_from("<IHHII", data, a)
                    end = data.index(b"\0", strtab + name)
                    if data[strtab + name:end].decode() == version and not flags & VER_FLG_WEAK:
                        struct.pack_into("<H", data, a + 4, flags | VER_FLG_WEAK)
                        changed = True
                    a += anext
                offset += nxt
        if changed:
            f.seek(0)
            f.write(data)
        return changed


def main():
    folder, version = sys.argv[1], sys.argv[2]
    if ".nuget" in os.path.abspath(folder).split(os.sep):
        sys.exit("weak-version-need: refusing to patch a NuGet cache; point it at a build output folder.")
    for root, _, files in os.walk(folder):
        for name in files:
            if name == "libLibTorchSharp.so":
                path = os.path.join(root, name)
                if patch(path, version):
                    print(f"{path}: {version} requirement marked weak")


if __name__ == "__main__":
    main()
