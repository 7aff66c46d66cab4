namespace IlgpuCnn.Data;

/// <summary>
/// Makes sure a resolved data folder holds both CIFAR-10 splits (one Parquet file each, or
/// several shards in the Hugging Face layout, <see cref="CifarShards"/>). Only the user cache is
/// downloaded into; a folder named by <c>--data</c> or <c>ILGPUCNN_DATA</c> that lacks a file is
/// a <see cref="UserError"/> (most likely a typo, and a 136 MB download should not land there
/// by surprise).
/// </summary>
public static class CifarFiles
{
    /// <summary>Replaces the hub's folder URL (tests, mirrors): the two file names are appended to it.</summary>
    public const string DownloadUrlVariable = "ILGPUCNN_DOWNLOAD_URL";

    /// <summary>Seconds a server may stay silent before a download is given up (default 60).</summary>
    public const string StallSecondsVariable = "ILGPUCNN_DOWNLOAD_STALL_SECONDS";

    private static TimeSpan StallTimeout() =>
        double.TryParse(Environment.GetEnvironmentVariable(StallSecondsVariable), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : CifarDownloader.DefaultStallTimeout;

    /// <summary>Ensures both files exist, downloading into the cache when needed; returns the files downloaded.</summary>
    public static IReadOnlyList<string> Ensure(DataLocation location, Action<string, long, long?>? progress = null, string baseUrl = CifarDownloader.DefaultBaseUrl, CancellationToken cancel = default)
    {
        var missing = new[] { (CifarShards.Train, location.TrainFile), (CifarShards.Test, location.TestFile) }
            .Where(s => !CifarShards.Exists(location.Directory, s.Item1))
            .Select(s => Path.GetFileName(s.Item2))
            .ToList();
        if (missing.Count == 0)
        {
            return [];
        }

        if (location.Origin != DataOrigin.Cache)
        {
            throw new UserError($"The data folder {location.Directory} (from {location.OriginText}) has no {string.Join(" and no ", missing)}; put the two CIFAR-10 Parquet files there, or {(location.Origin == DataOrigin.Flag ? "leave out --data" : $"unset {DataLocator.EnvironmentVariable}")} to download them into the user cache.");
        }

        using var downloader = new CifarDownloader(Environment.GetEnvironmentVariable(DownloadUrlVariable) is { Length: > 0 } url && baseUrl == CifarDownloader.DefaultBaseUrl ? url : baseUrl, StallTimeout());
        return downloader.EnsureAsync(location.Directory, progress, cancel).GetAwaiter().GetResult();
    }
}
