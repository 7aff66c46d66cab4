using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

public sealed class CifarFilesTests
{
    [Fact]
    public void FlagFolderWithoutFilesIsAUserErrorAndNothingIsDownloaded()
    {
        var dir = TestParquet.NewTempDirectory();
        try
        {
            // An unreachable loopback URL: reaching the network would be a different error.
            var url = $"http://127.0.0.1:{CifarDownloaderTests.FreePort()}/";
            var e = Assert.Throws<UserError>(() => CifarFiles.Ensure(new DataLocation(dir, DataOrigin.Flag), baseUrl: url, cancel: TestContext.Current.CancellationToken));
            Assert.Contains(dir, e.Message);
            Assert.Contains("from --data", e.Message);
            Assert.Contains("leave out --data", e.Message);
            Assert.Contains(DataLocator.TrainFileName, e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CacheFolderIsDownloadedIntoAndAnUnreachableHubSaysWhatToDo()
    {
        var dir = Path.Combine(TestParquet.NewTempDirectory(), "cache");
        var url = $"http://127.0.0.1:{CifarDownloaderTests.FreePort()}/";
        var e = Assert.Throws<UserError>(() => CifarFiles.Ensure(new DataLocation(dir, DataOrigin.Cache), baseUrl: url, cancel: TestContext.Current.CancellationToken));
        Assert.Contains("Could not download", e.Message);
        Assert.Contains($"put the two Parquet files in {dir} or pass --data DIR", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
        Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
    }

    [Fact]
    public void PresentFilesNeedNoDownload()
    {
        var dir = TestParquet.NewTempDirectory();
        try
        {
            File.WriteAllText(Path.Combine(dir, DataLocator.TrainFileName), "x");
            File.WriteAllText(Path.Combine(dir, DataLocator.TestFileName), "x");
            Assert.Empty(CifarFiles.Ensure(new DataLocation(dir, DataOrigin.Environment), baseUrl: "http://127.0.0.1:9/", cancel: TestContext.Current.CancellationToken));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
