using System.Runtime.InteropServices;

namespace IlgpuCnn;

/// <summary>
/// The kind of a path (following symbolic links) from stat(2), read without opening it, so that a
/// FIFO or a device is recognised before an open() that would block on it or replace it.
/// </summary>
public static partial class PathKind
{
    private const int TypeMask = 0xF000;

    /// <summary>The kind of <paramref name="path"/>; <see cref="FileKind.Missing"/> when nothing is there (or it cannot be looked at).</summary>
    public static FileKind Of(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return FileKind.Missing;
        }

        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
        }

        if (Stat(Path.GetFullPath(path), out var status) != 0)
        {
            return FileKind.Missing;
        }

        return (status.Mode & TypeMask) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
    }

    /// <summary>"a FIFO", "a character device", ... for sentences.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a file",
        FileKind.Directory => "a folder",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "a special file",
    };

    // The runtime's own portable stat (System.Native, shipped with every .NET on Unix): Flags, then
    // Mode with the platform-independent S_IF* type bits; the rest of the record is not read here.
    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, out NativeStatus status);

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct NativeStatus
    {
        public int Flags;
        public int Mode;
    }
}
