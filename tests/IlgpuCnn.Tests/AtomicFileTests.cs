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
}
