namespace IlgpuCnn.Data;

/// <summary>
/// Finds the CIFAR-10 data folder as docs/CONTRACT.md says: the <c>--data</c> value, else the environment
/// variable <c>ILGPUCNN_DATA</c>, else <c>$XDG_CACHE_HOME/ilgpucnn/cifar10</c>, else
/// <c>~/.cache/ilgpucnn/cifar10</c>. Empty values count as unset.
/// </summary>
public static class DataLocator
{
    public const string EnvironmentVariable = "ILGPUCNN_DATA";
    public const string TrainFileName = "train-00000-of-00001.parquet";
    public const string TestFileName = "test-00000-of-00001.parquet";

    /// <summary>Resolves with the process environment and the user's home folder.</summary>
    public static DataLocation Resolve(string? dataOption) =>
        Resolve(dataOption, Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify));

    /// <summary>Resolves with an injected environment lookup and home folder (for tests).</summary>
    public static DataLocation Resolve(string? dataOption, Func<string, string?> environment, string homeDirectory)
    {
        if (dataOption is not null && string.IsNullOrWhiteSpace(dataOption))
        {
            throw new UserError("The data folder given is an empty path; pass --data with a folder that holds the two Parquet files, or leave it out to use the user cache.");
        }

        if (dataOption is not null)
        {
            return new DataLocation(Path.GetFullPath(dataOption), DataOrigin.Flag);
        }

        var fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new DataLocation(Path.GetFullPath(fromEnvironment), DataOrigin.Environment);
        }

        var xdg = environment("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(xdg) && string.IsNullOrWhiteSpace(homeDirectory))
        {
            throw new UserError($"No user cache folder for CIFAR-10: neither XDG_CACHE_HOME nor a home folder is set; pass --data DIR or set {EnvironmentVariable}.");
        }

        var cacheRoot = !string.IsNullOrWhiteSpace(xdg) ? xdg : Path.Combine(homeDirectory, ".cache");
        return new DataLocation(Path.GetFullPath(Path.Combine(cacheRoot, "ilgpucnn", "cifar10")), DataOrigin.Cache);
    }
}
