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

    /// <summary>The stall timeout from <see cref="StallSecondsVariable"/> (default 60 s); a value that is not 0.1 to 86,400 seconds is refused in one sentence.</summary>
    public static TimeSpan StallTimeout()
    {
        string? text = Environment.GetEnvironmentVariable(StallSecondsVariable);
        if (string.IsNullOrEmpty(text))
        {
            return CifarDownloader.DefaultStallTimeout;
        }

        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) || !(s >= 0.1 && s <= 86_400))
        {
            throw new UserError($"{StallSecondsVariable} is '{text}', but it must be a number of seconds from 0.1 to 86,400; fix it or unset it to wait the default 60 s.");
        }

        return TimeSpan.FromSeconds(s);
    }

    /// <summary>The download folder URL from <see cref="DownloadUrlVariable"/> (or <paramref name="fallback"/>); anything but an absolute http(s) URL is refused, its credentials masked.</summary>
    public static string BaseUrl(string fallback)
    {
        string? text = Environment.GetEnvironmentVariable(DownloadUrlVariable);
        if (string.IsNullOrEmpty(text) || fallback != CifarDownloader.DefaultBaseUrl)
        {
            return fallback;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UserError($"{DownloadUrlVariable} is '{DownloadTransfer.Mask(text)}', but it must be an http:// or https:// folder URL; fix it or unset it to download from the Hugging Face hub.");
        }

        return text;
    }

    /// <summary>Ensures both files exist, downloading into the cache when needed; returns the files downloaded.</summary>
    public static IReadOnlyList<string> Ensure(DataLocation location, Action<string, long, long?>? progress = null, string baseUrl = CifarDownloader.DefaultBaseUrl, CancellationToken cancel = default)
    {
        var kind = PathKind.Of(location.Directory);
        if (kind is not (FileKind.Directory or FileKind.Missing))
        {
            throw new UserError($"The data folder {location.Directory} (from {location.OriginText}) is {PathKind.Describe(kind)}, not a folder; pass --data with the folder that holds the two CIFAR-10 Parquet files.");
        }

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

        OutputPath.RequireFolderFor(location.Directory, $"The data folder {location.Directory} (from {location.OriginText})");
        using var downloader = new CifarDownloader(BaseUrl(baseUrl), StallTimeout());
        return downloader.EnsureAsync(location.Directory, progress, cancel).GetAwaiter().GetResult();
    }
}
