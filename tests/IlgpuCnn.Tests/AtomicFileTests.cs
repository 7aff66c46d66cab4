namespace IlgpuCnn.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>Every temp file <see cref="AtomicFile"/> left anywhere under <paramref name="folder"/> (its one name pattern).</summary>
    internal static string[] Leftovers(string folder) =>
        Directory.GetFiles(folder, "*" + AtomicFile.TempExtension, SearchOption.AllDirectories);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AWriteReplacesTheTargetAndLeavesNoTempFile()
    {
        string target = _dir.File("sub/report.txt");
        AtomicFile.WriteText(target, "first");
        AtomicFile.WriteText(target, "second, longer");
        Assert.Equal("second, longer", File.ReadAllText(target));
        Assert.Empty(Leftovers(_dir.Path));
    }

    [Fact]
    public void AFailedWriteKeepsTheOldContentAndLeavesNoTempFile()
    {
        string target = _dir.File("model.onnx");
        AtomicFile.WriteText(target, "old");
        string? seen = null;
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write(new byte[1000]);
            seen = ((FileStream)stream).Name;
            throw new InvalidOperationException("the writer failed half-way");
        }));
        Assert.Equal("the writer failed half-way", e.Message);
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Empty(Leftovers(_dir.Path));
        Assert.Matches(@"^\.model\.onnx\.[0-9a-f]{8}\.tmp$", Path.GetFileName(seen));
        Assert.Equal(_dir.Path, Path.GetDirectoryName(seen));
    }

    [Fact]
    public async Task AFailedAsyncWriteLeavesNeitherTargetNorTempFile()
    {
        string target = _dir.File("train.parquet");
        await Assert.ThrowsAsync<IOException>(() => AtomicFile.WriteAsync(target, async stream =>
        {
            await stream.WriteAsync(new byte[100], TestContext.Current.CancellationToken);
            throw new IOException("the connection closed");
        }));
        Assert.False(File.Exists(target));
        Assert.Empty(Leftovers(_dir.Path));
    }

    [Fact]
    public async Task AnAsyncWriteWithoutOverwriteLeavesAnExistingTargetAlone()
    {
        string target = _dir.File("test.parquet");
        AtomicFile.WriteText(target, "there first");
        await Assert.ThrowsAsync<IOException>(() => AtomicFile.WriteAsync(target, stream => stream.WriteAsync(new byte[10]).AsTask(), overwrite: false));
        Assert.Equal("there first", File.ReadAllText(target));
        Assert.Empty(Leftovers(_dir.Path));
    }

    [Fact]
    public void RemoveStaleDeletesOnlyOldTempFilesOfThatTarget()
    {
        string target = _dir.File("data.bin");
        string stale = AtomicFile.TempPath(target);
        string fresh = AtomicFile.TempPath(target);
        string other = AtomicFile.TempPath(_dir.File("other.bin"));
        foreach (var f in new[] { stale, fresh, other })
        {
            File.WriteAllText(f, "x");
        }

        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - TimeSpan.FromHours(2));
        File.SetLastWriteTimeUtc(other, DateTime.UtcNow - TimeSpan.FromHours(2));
        AtomicFile.RemoveStale(target, TimeSpan.FromHours(1));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(other));
    }

    [Theory]
    [InlineData(255)] // the longest name the file system takes: the temp name is shortened, not refused
    [InlineData(236)]
    public void AnyNameTheFileSystemAcceptsCanBeWritten(int length)
    {
        string target = _dir.File(new string('n', length - 4) + ".txt");
        AtomicFile.WriteText(target, "long");
        Assert.Equal("long", File.ReadAllText(target));
        Assert.True(Path.GetFileName(AtomicFile.TempPath(target)).Length <= AtomicFile.MaxNameBytes);
        Assert.Empty(Leftovers(_dir.Path));
    }

    [Fact]
    public void OnlyRegularFilesAreReplaced()
    {
        string folder = _dir.File("a-folder");
        Directory.CreateDirectory(folder);
        var e = Assert.Throws<UserError>(() => AtomicFile.WriteText(folder, "x"));
        Assert.Equal($"'{folder}' is a folder, not a regular file; this program writes only regular files, so pass another path for it.", e.Message);

        string underFile = _dir.File("a-file");
        File.WriteAllText(underFile, "x");
        e = Assert.Throws<UserError>(() => AtomicFile.WriteText(Path.Combine(underFile, "report.txt"), "x"));
        Assert.Contains($"'{underFile}' is a file, not a folder", e.Message);
        Assert.Empty(Leftovers(_dir.Path));
    }

    [Fact]
    public void ASideFileIsReadOnlyWhenRegularAndSmall()
    {
        string big = _dir.File("config.json");
        using (var f = File.Create(big))
        {
            f.SetLength(BoundedFile.SideFileBytes + 1);
        }

        Assert.Contains("more than the", Assert.Throws<UserError>(() => BoundedFile.ReadAllText(big)).Message);
        Assert.Contains("is a character device", Assert.Throws<UserError>(() => BoundedFile.ReadAllText("/dev/zero")).Message);
        Assert.Equal(FileKind.CharacterDevice, PathKind.Of("/dev/null"));
        Assert.Equal(FileKind.Directory, PathKind.Of(_dir.Path));
        Assert.Equal(FileKind.Missing, PathKind.Of(_dir.File("none")));
    }
}
