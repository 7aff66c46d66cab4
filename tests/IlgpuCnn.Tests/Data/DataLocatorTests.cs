using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

public sealed class DataLocatorTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void FlagWinsOverEnvironmentAndCache()
    {
        var location = DataLocator.Resolve("/data/flag", Env(("ILGPUCNN_DATA", "/data/env"), ("XDG_CACHE_HOME", "/xdg")), "/home/u");
        Assert.Equal("/data/flag", location.Directory);
        Assert.Equal(DataOrigin.Flag, location.Origin);
        Assert.Equal("/data/flag/train-00000-of-00001.parquet", location.TrainFile);
        Assert.Equal("/data/flag/test-00000-of-00001.parquet", location.TestFile);
    }

    [Fact]
    public void EnvironmentVariableWhenNoFlag()
    {
        var location = DataLocator.Resolve(null, Env(("ILGPUCNN_DATA", "/data/env"), ("XDG_CACHE_HOME", "/xdg")), "/home/u");
        Assert.Equal("/data/env", location.Directory);
        Assert.Equal(DataOrigin.Environment, location.Origin);
        Assert.Equal("ILGPUCNN_DATA", location.OriginText);
    }

    [Fact]
    public void XdgCacheHomeWhenNeither()
    {
        var location = DataLocator.Resolve(null, Env(("ILGPUCNN_DATA", ""), ("XDG_CACHE_HOME", "/xdg")), "/home/u");
        Assert.Equal("/xdg/ilgpucnn/cifar10", location.Directory);
        Assert.Equal(DataOrigin.Cache, location.Origin);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void ABlankDataFolderIsRefusedInsteadOfDownloading(string blank)
    {
        var e = Assert.Throws<UserError>(() => DataLocator.Resolve(blank, Env(("XDG_CACHE_HOME", "/xdg")), "/home/u"));
        Assert.Contains("empty path", e.Message);
    }

    [Fact]
    public void HomeCacheWhenNoXdg()
    {
        var location = DataLocator.Resolve(null, Env(), "/home/u");
        Assert.Equal("/home/u/.cache/ilgpucnn/cifar10", location.Directory);
        Assert.Equal(DataOrigin.Cache, location.Origin);
    }

    [Fact]
    public void RelativeFlagBecomesAbsolute()
    {
        var location = DataLocator.Resolve("some/dir", Env(), "/home/u");
        Assert.True(Path.IsPathRooted(location.Directory));
        Assert.EndsWith(Path.Combine("some", "dir"), location.Directory);
    }

    [Fact]
    public void NoHomeAndNoXdgAsksForData()
    {
        var e = Assert.Throws<UserError>(() => DataLocator.Resolve(null, Env(), ""));
        Assert.Contains("--data", e.Message);
    }
}
