using System.Diagnostics;

namespace IlgpuCnn.Tests;

/// <summary>
/// A tmpfs mounted on a test's folder, for the cases a real file system shows best: a full disk
/// (a small size) and a read-only folder (root ignores permissions, not a read-only mount). Only
/// root on Linux can mount; <see cref="Tmpfs"/> returns null elsewhere. Disposing unmounts it.
/// </summary>
public sealed class TempMount : IDisposable
{
    private readonly string _folder;

    private TempMount(string folder) => _folder = folder;

    /// <summary>Mounts a tmpfs with <paramref name="options"/> (e.g. "size=64k" or "ro") on the existing <paramref name="folder"/>; null when this process cannot.</summary>
    public static TempMount? Tmpfs(string folder, string options)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return null;
        }

        return Tool("mount", "-t", "tmpfs", "-o", options, "tmpfs", folder) ? new TempMount(folder) : null;
    }

    public void Dispose() => Assert.True(Tool("umount", _folder), $"could not unmount the test's tmpfs at {_folder}");

    private static bool Tool(string command, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
