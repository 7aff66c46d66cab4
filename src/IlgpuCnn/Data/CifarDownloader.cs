using System.Net;
using System.Security.Cryptography;

namespace IlgpuCnn.Data;

/// <summary>
/// Downloads the two CIFAR-10 Parquet files from the Hugging Face hub (or an injected base URL)
/// into a folder when they are missing. Each file is written to a temporary name beside the
/// target and renamed only when complete, so a failed, stalled or cancelled download never leaves
/// a half-written file behind (the temporary file is deleted; <see cref="EnsureAsync"/> holds a lock
/// on the folder and removes temporary files of killed downloads). A server that sends no headers
/// or no bytes for <see cref="StallTimeout"/> ends the download with a <see cref="UserError"/>, and
/// so does one that sends more than it announced (or than <see cref="MaxDownloadBytes"/>). A finished file is
/// checked against the size and SHA-256 that the hub publishes for it (the <c>X-Linked-Size</c> and
/// <c>X-Linked-Etag</c> headers of its LFS redirect) and removed when they differ.
/// </summary>
public sealed class CifarDownloader : IDisposable
{
    /// <summary>The folder of <c>uoft-cs/cifar10</c>'s Parquet files on the hub.</summary>
    public const string DefaultBaseUrl = "https://huggingface.co/datasets/uoft-cs/cifar10/resolve/main/plain_text/";

    /// <summary>How long a server may send nothing (no headers, or no body bytes) before the download is given up.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A leftover temporary file this old belongs to no running download (it would have been written to within the stall timeout).</summary>
    public static readonly TimeSpan StalePartAge = TimeSpan.FromMinutes(10);

    /// <summary>The most bytes a download may bring when the server announces no size (CIFAR-10's files are 120 MB and 24 MB).</summary>
    public const long MaxDownloadBytes = 1L << 30;


    private readonly HttpClient _http;
    private readonly string _baseUrl;

    /// <param name="baseUrl">The folder URL the two file names are appended to.</param>
    /// <param name="stallTimeout">No progress for this long (connect, headers, or between body reads) ends the download; default <see cref="DefaultStallTimeout"/>.</param>
    public CifarDownloader(string baseUrl = DefaultBaseUrl, TimeSpan? stallTimeout = null)
    {
        _baseUrl = baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/";
        StallTimeout = stallTimeout ?? DefaultStallTimeout;
        // A blackholed network fails within the connect timeout; a silent server within the stall timeout.
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = StallTimeout < TimeSpan.FromSeconds(30) ? StallTimeout : TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false, // followed by hand, to read the checksum the hub puts on its redirect
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("ilgpucnn/1.0");
    }

    public TimeSpan StallTimeout { get; }

    /// <summary>
    /// Makes sure both files are in <paramref name="directory"/>, downloading the missing ones;
    /// <paramref name="progress"/> gets (file name, bytes so far, total bytes or null when unknown).
    /// Returns the names of the files it downloaded.
    /// </summary>
    public async Task<IReadOnlyList<string>> EnsureAsync(string directory, Action<string, long, long?>? progress = null, CancellationToken cancellation = default)
    {
        var downloaded = new List<string>();
        CreateFolder(directory);
        using var folderLock = DownloadLock.Acquire(directory);
        foreach (var name in new[] { DataLocator.TrainFileName, DataLocator.TestFileName })
        {
            var target = Path.Combine(directory, name);
            AtomicFile.RemoveStale(target, TimeSpan.Zero); // under the lock no other download writes here: every temp file is a killed one's
            if (File.Exists(target))
            {
                continue;
            }

            await DownloadAsync(name, target, (done, total) => progress?.Invoke(name, done, total), cancellation).ConfigureAwait(false);
            downloaded.Add(name);
        }

        return downloaded;
    }

    /// <summary>Downloads <c>baseUrl + fileName</c> to <paramref name="target"/> through <see cref="AtomicFile"/>.</summary>
    public async Task DownloadAsync(string fileName, string target, Action<long, long?>? progress = null, CancellationToken cancellation = default)
    {
        var url = _baseUrl + fileName;
        var directory = Path.GetDirectoryName(Path.GetFullPath(target))!;
        CreateFolder(directory);
        AtomicFile.RemoveStale(target, StalePartAge);
        var transfer = new DownloadTransfer(url, directory);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            await AtomicFile.WriteAsync(target, file => FetchAsync(transfer, new TargetStream(target, file), progress, stall, cancellation), overwrite: false).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested && stall.IsCancellationRequested)
        {
            throw new UserError($"Could not download {transfer.Shown} (the server sent {transfer.Silence()} for {StallTimeout.TotalSeconds:0.#} s, so the download was stopped and its partial file removed); run the command again later, or {transfer.Advice}.", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            throw new UserError($"Could not download {transfer.Shown} ({Reason(e)}); {transfer.Advice}.", e);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// GETs <paramref name="url"/>, following up to 10 redirects, and collects what the hub publishes
    /// about an LFS file on its redirect: <c>X-Linked-Size</c> (bytes) and <c>X-Linked-Etag</c> (the
    /// file's SHA-256), on any hop. The caller disposes the returned response.
    /// </summary>
    private async Task<(HttpResponseMessage Response, (long? Size, string? Sha256) Published)> GetFollowingRedirectsAsync(string url, CancellationToken cancel)
    {
        long? size = null;
        string? sha = null;
        var current = new Uri(url);
        for (int hop = 0; ; hop++)
        {
            var response = await _http.GetAsync(current, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            if (response.Headers.TryGetValues("X-Linked-Size", out var sizes) && long.TryParse(sizes.First(), System.Globalization.CultureInfo.InvariantCulture, out long linked))
            {
                size = linked;
            }

            if (response.Headers.TryGetValues("X-Linked-Etag", out var etags) && etags.First().Trim('"', ' ').Replace("W/", "", StringComparison.Ordinal).Trim('"') is { Length: 64 } hex && hex.All(Uri.IsHexDigit))
            {
                sha = hex.ToLowerInvariant();
            }

            bool redirect = response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
            if (!redirect || response.Headers.Location is null || hop >= 10)
            {
                return (response, (size, sha));
            }

            current = new Uri(current, response.Headers.Location);
            response.Dispose();
            if (current.Scheme is not ("http" or "https"))
            {
                throw new UserError($"Could not download {DownloadTransfer.Mask(url)}: the server redirected it to a URL of the '{current.Scheme}' scheme, and only http and https are followed; put the two Parquet files in the data folder or pass --data DIR.");
            }
        }
    }

    private static string Reason(Exception e)
    {
        if (e is TaskCanceledException)
        {
            return "timed out";
        }

        var inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message.TrimEnd('.');
    }

    private static void CreateFolder(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"Could not create the data folder {directory} ({e.Message.TrimEnd('.')}); pass --data with a folder that holds the two Parquet files.", e);
        }
    }

    /// <summary>GETs the file into <paramref name="file"/>, restarting the stall clock at every read, then checks its size and SHA-256.</summary>
    private async Task FetchAsync(DownloadTransfer transfer, TargetStream file, Action<long, long?>? progress, CancellationTokenSource stall, CancellationToken cancellation)
    {
        stall.CancelAfter(StallTimeout);
        var (response, published) = await GetFollowingRedirectsAsync(transfer.Url, stall.Token).ConfigureAwait(false);
        using var disposeResponse = response;
        transfer.Headers = true;
        if (!response.IsSuccessStatusCode)
        {
            throw new UserError($"Could not download {transfer.Shown} (HTTP {(int)response.StatusCode} {response.ReasonPhrase}); put the two Parquet files in {transfer.Directory} or pass --data DIR.");
        }

        transfer.Total = response.Content.Headers.ContentLength ?? published.Size;
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        stall.CancelAfter(StallTimeout);
        await using (var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            while (true)
            {
                stall.CancelAfter(StallTimeout); // restarts the clock: the limit is on silence, not on the whole file
                int read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (transfer.Done + read > (transfer.Total ?? MaxDownloadBytes))
                {
                    throw new UserError($"Could not download {transfer.Shown} (the server sent more than the {transfer.Total ?? MaxDownloadBytes:N0} bytes {(transfer.Total is null ? "a CIFAR-10 file can have" : "it announced")}, so the download was stopped and its partial file removed); {transfer.Advice}.");
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                sha256.AppendData(buffer, 0, read);
                transfer.Done += read;
                progress?.Invoke(transfer.Done, transfer.Total);
            }
        }

        transfer.Check(published, Convert.ToHexStringLower(sha256.GetHashAndReset()));
    }

    /// <summary>The temp file a download writes, named in errors by its target: a full disk says which file did not fit, never the temp name.</summary>
    private readonly struct TargetStream(string target, Stream stream)
    {
        public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancel)
        {
            try
            {
                await stream.WriteAsync(bytes, cancel).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw AtomicFile.CouldNotWrite(target, e);
            }
        }
    }
}
