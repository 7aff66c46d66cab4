using IlgpuCnn.Data;
using IlgpuCnn.Tests.Data;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>
/// Outputs whose folder cannot hold them (issue 19, point 7): a path under a regular file, on the
/// kernel's /proc or /sys, or on a read-only file system is refused in one sentence naming it,
/// before any work — shown by a data folder or model that does not exist, which the command would
/// otherwise have complained about first; and a folder or file given where the other is expected
/// is named as such, not "does not exist" or "has no ...".
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class OutputFolderTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
    }

    private string NoData => Path.Combine(_dir, "no-data");

    private static void OneSentence((int Code, string Out, string Err) result, string expected)
    {
        Assert.True(result.Code == 1, $"exit {result.Code}: {result.Err}");
        Assert.Contains(expected, result.Err);
        Assert.Single(result.Err.Trim().Split('\n'));
        Assert.DoesNotContain("Exception", result.Err);
        Assert.DoesNotContain("   at ", result.Err);
    }

    /// <summary>Every command that writes, with <paramref name="file"/> as its output file and <paramref name="folder"/> as its output folder.</summary>
    private List<string[]> Writers(string file, string folder) =>
    [
        ["evaluate", "--model", Path.Combine(_dir, "no-model.safetensors"), "--data", NoData, "--out", folder],
        ["train", "--device", "cpu", "--data", NoData, "--epochs", "1", "--out", folder],
        ["data", "--data", NoData, "--export", folder, "--train-limit", "10"],
        ["preview", "--data", NoData, "--out", file],
        ["export", "--model", Path.Combine(_dir, "no-model.safetensors"), "--out", file],
    ];

    [Fact]
    public void AnOutputUnderAFileIsRefusedBeforeAnyWork()
    {
        string regular = Path.Combine(_dir, "a-file");
        File.WriteAllText(regular, "not a folder");
        foreach (var args in Writers(Path.Combine(regular, "x.png"), Path.Combine(regular, "sub", "run")))
        {
            OneSentence(CliRunner.Run(args), $"cannot be written: '{regular}' is a file, not a folder");
        }

        Assert.Equal("not a folder", File.ReadAllText(regular));
    }

    [Fact]
    public void AnOutputOnTheKernelsFileSystemsIsRefusedBeforeAnyWork()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var root in new[] { "/proc", "/proc/self", "/sys/kernel" })
        {
            string system = root.StartsWith("/proc", StringComparison.Ordinal) ? "proc" : "sysfs";
            foreach (var args in Writers(Path.Combine(root, "ilgpucnn-test.png"), Path.Combine(root, "ilgpucnn-test")))
            {
                var result = CliRunner.Run(args);
                OneSentence(result, $"{root}/ilgpucnn-test");
                Assert.Contains($"is on the kernel's {system} file system", result.Err);
            }
        }

        // An existing file there (a regular file to stat) is refused the same way.
        OneSentence(CliRunner.Run("preview", "--data", NoData, "--out", "/proc/self/status"), "'/proc/self/status' is on the kernel's proc file system");
    }

    [Fact]
    public void AnOutputOnAReadOnlyFolderIsRefusedBeforeAnyWork()
    {
        string readOnly = Path.Combine(_dir, "read-only");
        Directory.CreateDirectory(readOnly);
        using var mount = TempMount.Tmpfs(readOnly, "ro,size=64k"); // root: a read-only mount
        if (mount is null && (OperatingSystem.IsWindows() || Environment.IsPrivilegedProcess))
        {
            return; // root without mount, or Windows: no read-only folder to be had
        }

        if (mount is null)
        {
            File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        string why = mount is not null ? "is on a read-only file system" : "is not writable (permission denied)";
        foreach (var args in Writers(Path.Combine(readOnly, "x.png"), Path.Combine(readOnly, "run")))
        {
            OneSentence(CliRunner.Run(args), $"cannot be written: '{readOnly}' {why}");
        }

        if (mount is null)
        {
            File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void BlankPathsAreNamedAsSuch()
    {
        OneSentence(CliRunner.Run("evaluate", "--model", Path.Combine(_dir, "m.safetensors"), "--data", NoData, "--out", ""), "--out is an empty path");
        OneSentence(CliRunner.Run("export", "--model", ""), "--model is an empty path");
        OneSentence(CliRunner.Run("preview", "--data", NoData, "--out", " "), "An output path is empty");
    }

    [Fact]
    public void AFileOrFolderGivenWhereTheOtherIsExpectedIsNamedAsSuch()
    {
        string regular = Path.Combine(_dir, "a-file");
        File.WriteAllText(regular, "not a folder");
        OneSentence(CliRunner.Run("train", "--device", "cpu", "--data", regular, "--out", Path.Combine(_dir, "run")), $"The data folder {regular} (from --data) is a file, not a folder");
        OneSentence(CliRunner.Run("evaluate", "--model", _dir, "--data", NoData, "--out", Path.Combine(_dir, "ev")), $"'{_dir}' is a folder, not a file");
        OneSentence(CliRunner.Run("train", "--device", "cpu", "--resume", _dir, "--out", Path.Combine(_dir, "run")), $"'{_dir}' is a folder, not a file");

        string data = TestParquet.TinySplits(_dir);
        string train = Path.Combine(data, DataLocator.TrainFileName);
        File.Delete(train);
        Directory.CreateDirectory(train);
        OneSentence(CliRunner.Run("preview", "--data", data, "--out", Path.Combine(_dir, "p.png")), $"The data file {train} is a folder, not a Parquet file");
    }
}
