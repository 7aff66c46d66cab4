#!/usr/bin/env python3
"""Lists the OpenCL devices the ICD loader libOpenCL.so sees (as ILGPU loads it), one per line:
"usable|<type>|<version>|<name>" or "unusable|<type>|<version>|<name>|<reason>". Exit status 0 when
at least one device ILGPU's OpenCL backend accepts (OpenCL >= 2.0 with the generic address space)
is present, 1 when none is, 2 when libOpenCL.so cannot be loaded. Used by fetch-pocl.sh."""
import ctypes
import sys

CL_DEVICE_TYPE_ALL = 0xFFFFFFFF
CL_DEVICE_TYPE = 0x1000
CL_DEVICE_NAME = 0x102B
CL_DEVICE_VERSION = 0x102F
CL_DEVICE_GENERIC_ADDRESS_SPACE_SUPPORT = 0x1069


def info_bytes(cl, device, param):
    size = ctypes.c_size_t(0)
    if cl.clGetDeviceInfo(device, param, 0, None, ctypes.byref(size)) != 0:
        return None
    buf = ctypes.create_string_buffer(size.value)
    if cl.clGetDeviceInfo(device, param, size.value, buf, None) != 0:
        return None
    return buf.raw


def describe(cl, device):
    raw_type = info_bytes(cl, device, CL_DEVICE_TYPE) or b"\0" * 8
    kind = "gpu" if int.from_bytes(raw_type[:8], "little") & 4 else "cpu"
    version = (info_bytes(cl, device, CL_DEVICE_VERSION) or b"").rstrip(b"\0").decode(errors="replace")
    name = (info_bytes(cl, device, CL_DEVICE_NAME) or b"").rstrip(b"\0").decode(errors="replace")
    parts = version.split()
    major, minor = (int(x) for x in parts[1].split(".")[:2]) if len(parts) > 1 else (0, 0)
    if (major, minor) < (2, 0):
        return f"unusable|{kind}|{version}|{name}|OpenCL older than 2.0"
    if major >= 3:
        generic = info_bytes(cl, device, CL_DEVICE_GENERIC_ADDRESS_SPACE_SUPPORT)
        if not generic or int.from_bytes(generic[:4], "little") == 0:
            return f"unusable|{kind}|{version}|{name}|no generic address space (PoCL older than 4?)"
    return f"usable|{kind}|{version}|{name}"


def main():
    try:
        cl = ctypes.CDLL("libOpenCL.so")
    except OSError:
        return 2
    cl.clGetPlatformIDs.argtypes = [ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    cl.clGetDeviceIDs.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    cl.clGetDeviceInfo.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p]
    count = ctypes.c_uint(0)
    if cl.clGetPlatformIDs(0, None, ctypes.byref(count)) != 0 or count.value == 0:
        return 1
    platforms = (ctypes.c_void_p * count.value)()
    cl.clGetPlatformIDs(count.value, platforms, None)
    found = False
    for platform in platforms:
        n = ctypes.c_uint(0)
        if cl.clGetDeviceIDs(ctypes.c_void_p(platform), CL_DEVICE_TYPE_ALL, 0, None, ctypes.byref(n)) != 0:
            continue
        devices = (ctypes.c_void_p * n.value)()
        cl.clGetDeviceIDs(ctypes.c_void_p(platform), CL_DEVICE_TYPE_ALL, n.value, devices, None)
        for device in devices:
            line = describe(cl, ctypes.c_void_p(device))
            found = found or line.startswith("usable")
            print(line)
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
