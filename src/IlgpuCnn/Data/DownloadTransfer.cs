namespace IlgpuCnn.Data;

/// <summary>What one download has got so far, for its checks and error messages.</summary>
internal sealed class DownloadTransfer(string url, string directory)
{
    public string Url { get; } = url;

    /// <summary>The URL for messages: a user name or password in it is masked.</summary>
    public string Shown { get; } = Mask(url);

    public string Directory { get; } = directory;

    public string Advice => $"put the two Parquet files in {Directory} or pass --data DIR";

    public bool Headers { get; set; }

    public long Done { get; set; }

    public long? Total { get; set; }

    public string Silence() =>
        !Headers ? "no response headers" : Total is long t ? $"no data after {Done:N0} of {t:N0} bytes" : $"no data after {Done:N0} bytes";

    /// <summary><paramref name="url"/> with its user information (user name, password) replaced by "***".</summary>
    public static string Mask(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? url.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal) : url;

    /// <summary>Throws when the bytes received are fewer than announced, or differ in size or SHA-256 from what the hub publishes.</summary>
    public void Check((long? Size, string? Sha256) published, string actual)
    {
        if (Total is long expected && Done != expected)
        {
            throw new UserError($"Could not download {Shown} (the connection closed after {Done:N0} of {expected:N0} bytes); run the command again, or {Advice}.");
        }

        if (published.Size is long size && Done != size)
        {
            throw new UserError($"Could not download {Shown} (got {Done:N0} bytes, but the published file has {size:N0}; the partial file was removed); run the command again, or {Advice}.");
        }

        if (published.Sha256 is { } wanted && !string.Equals(actual, wanted, StringComparison.OrdinalIgnoreCase))
        {
            throw new UserError($"Could not download {Shown} (its SHA-256 is {actual}, but the published file's is {wanted}; the file was removed); run the command again, or {Advice}.");
        }
    }
}
