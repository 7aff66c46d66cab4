using System.Runtime.InteropServices;

namespace IlgpuCnn;

/// <summary>
/// The kind of a path (following symbolic links) from stat(2), read without opening it, so that a
/// FIFO or a device is recognised before an open() that would block on it or replace it.
/// </summary>
public static partial class PathKind
{
    private const int TypeMask = 0xF000;

    // access(2) modes W_OK | X_OK and the errno values (the same on Linux and macOS) it reports.
    private const int WriteAndSearch = 2 | 1;
    private const int NotPermitted = 1;
    private const int PermissionDenied = 13;
    private const int ReadOnlyFileSystem = 30;

    /// <summary>File systems of the kernel's own (statfs type names as .NET reports them).</summary>
    private static readonly HashSet<string> VirtualFormats = new(StringComparer.Ordinal)
    {
        "proc", "sysfs", "cgroup", "cgroup2", "cgroupfs", "cgroup2fs", "debugfs", "tracefs", "securityfs", "pstore", "pstorefs", "bpf", "bpf_fs",
        "configfs", "devpts", "efivarfs", "binfmt_misc", "fusectl", "mqueue", "nsfs", "selinuxfs", "selinux", "autofs",
    };

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

    /// <summary>
    /// Why this process cannot create files in the existing folder <paramref name="directory"/>, as
    /// what the folder "is": "on a read-only file system" or "not writable (permission denied)", from
    /// access(2), which root passes everywhere but on a read-only mount; null when it can, or when the
    /// system does not say.
    /// </summary>
    public static string? WhyNotWritable(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        if (Access(Path.GetFullPath(directory), WriteAndSearch) == 0)
        {
            return null;
        }

        return Marshal.GetLastPInvokeError() switch
        {
            ReadOnlyFileSystem => "on a read-only file system",
            PermissionDenied or NotPermitted => "not writable (permission denied)",
            _ => null,
        };
    }

    /// <summary>
    /// The name of the kernel's virtual file system that <paramref name="path"/> (an existing path) is
    /// on — proc, sysfs, cgroup and the like, which hold no files of a user's — or null for any other.
    /// </summary>
    public static string? VirtualFileSystem(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            string format = new DriveInfo(Path.GetFullPath(path)).DriveFormat;
            return VirtualFormats.Contains(format) ? format : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
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

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Access(string path, int mode);

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct NativeStatus
    {
        public int Flags;
        public int Mode;
    }
}
