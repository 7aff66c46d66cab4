#!/usr/bin/env python3
"""Hostile inputs for tests/robustness/replay.sh (standard library only).

craft.py nan SRC DST       copy of safetensors SRC with every F32 value NaN
craft.py negiter SRC DST   copy of checkpoint SRC whose training state has iterations = -5
craft.py sparse SRC DST N  copy of SRC with N extra 1 GiB tensors 'junk.i' (sparse holes: no disk used)
craft.py png DST SEED      a random 32x32 RGB PNG
craft.py bomb DST SIDE     a SIDE x SIDE greyscale PNG of zeros (a few MB on disk)
craft.py options SRC DST PATH=VALUE  copy of checkpoint SRC whose saved run options have PATH (dotted,
                           e.g. training.optimizer.beta1) set to the JSON VALUE
craft.py gif DST SIDE N    an animated GIF: a SIDE x SIDE screen and N frames of 1x1 pixel (under 1 KB for N = 40)
"""
import json
import random
import struct
import sys
import zlib


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = bytearray(f.read())
    return header, data


def write_safetensors(path, header, data):
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        f.write(data)


def nan(src, dst):
    header, data = read_safetensors(src)
    quiet_nan = struct.pack("<f", float("nan"))
    for name, t in header.items():
        if name != "__metadata__" and t["dtype"] == "F32":
            a, b = t["data_offsets"]
            data[a:b] = quiet_nan * ((b - a) // 4)
    write_safetensors(dst, header, data)


def negiter(src, dst):
    header, data = read_safetensors(src)
    meta = header["__metadata__"]
    key = next(k for k in meta if "state" in k.lower())
    state = json.loads(meta[key])
    fields = [k for k in state if "iteration" in k.lower()]
    if not fields:
        sys.exit(f"no iteration field in the training state of {src}: {sorted(state)}")
    for k in fields:
        state[k] = -5
    meta[key] = json.dumps(state)
    write_safetensors(dst, header, data)


def sparse(src, dst, count):
    header, data = read_safetensors(src)
    size, end = 1 << 30, len(data)
    for i in range(int(count)):
        header[f"junk.{i}"] = {"dtype": "F32", "shape": [size // 4], "data_offsets": [end, end + size]}
        end += size
    write_safetensors(dst, header, data)
    with open(dst, "r+b") as f:
        f.truncate(f.seek(0, 2) + end - len(data))


def options(src, dst, assignment):
    header, data = read_safetensors(src)
    meta = header["__metadata__"]
    run = json.loads(meta["run_options"])
    path, value = assignment.split("=", 1)
    keys = path.split(".")
    node = run
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = json.loads(value)
    meta["run_options"] = json.dumps(run, indent=2)
    write_safetensors(dst, header, data)


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(dst, width, height, colour, rows):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    with open(dst, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


def small(dst, seed):
    rng = random.Random(int(seed))
    raw = b"".join(b"\0" + bytes(rng.randrange(256) for _ in range(32 * 3)) for _ in range(32))
    png(dst, 32, 32, 2, zlib.compress(raw))


def bomb(dst, side):
    side = int(side)
    z = zlib.compressobj(9)
    row = b"\0" * (side + 1)
    parts = [z.compress(row) for _ in range(side)]
    parts.append(z.flush())
    png(dst, side, side, 0, b"".join(parts))


def gif(dst, side, frames):
    side, frames = int(side), int(frames)
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", side, side, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff")
    for _ in range(frames):
        out += b"\x21\xf9\x04\x00\x01\x00\x00\x00"  # graphic control: 1/100 s
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0)  # a 1x1 frame at (0, 0)
        out += b"\x02\x02\x44\x01\x00"  # LZW (min code size 2): clear, index 0, end
    out += b"\x3b"
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    {"nan": nan, "negiter": negiter, "sparse": sparse, "png": small, "bomb": bomb, "gif": gif, "options": options}[sys.argv[1]](*sys.argv[2:])
