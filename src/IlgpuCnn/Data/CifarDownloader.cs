namespace IlgpuCnn.Data;

/// <summary>
/// Downloads the two CIFAR-10 Parquet files from the Hugging Face hub (or an injected base URL)
/// into a folder when they are missing. Each file is written to a temporary name beside the
/// target and renamed only when complete, so a failed or aborted download never leaves a
/// half-written file behind (the temporary file is deleted).
/// </summary>
public sealed class CifarDownloader : IDisposable
{
    /// <summary>The folder of <c>uoft-cs/cifar10</c>'s Parquet files on the hub.</summary>
    public const string DefaultBaseUrl = "https://huggingface.co/datasets/uoft-cs/cifar10/resolve/main/plain_text/";

    private readonly HttpClient _http;
    private readonly string _baseUrl;

    public CifarDownloader(string baseUrl = DefaultBaseUrl, TimeSpan? timeout = null)
    {
        _baseUrl = baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/";
        // A blackholed network fails within the connect timeout instead of the whole download's.
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) };
        _http = new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromMinutes(30) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("ilgpucnn/1.0");
    }

    /// <summary>
    /// Makes sure both files are in <paramref name="directory"/>, downloading the missing ones;
    /// <paramref name="progress"/> gets (file name, bytes so far, total bytes or null when unknown).
    /// Returns the names of the files it downloaded.
    /// </summary>
    public async Task<IReadOnlyList<string>> EnsureAsync(string directory, Action<string, long, long?>? progress = null, CancellationToken cancellation = default)
    {
        var downloaded = new List<string>();
        foreach (var name in new[] { DataLocator.TrainFileName, DataLocator.TestFileName })
        {
            var target = Path.Combine(directory, name);
            if (File.Exists(target))
            {
                continue;
            }

            await DownloadAsync(name, target, (done, total) => progress?.Invoke(name, done, total), cancellation).ConfigureAwait(false);
            downloaded.Add(name);
        }

        return downloaded;
    }

    /// <summary>Downloads <c>baseUrl + fileName</c> to <paramref name="target"/> through a temporary file.</summary>
    public async Task DownloadAsync(string fileName, string target, Action<long, long?>? progress = null, CancellationToken cancellation = default)
    {
        var url = _baseUrl + fileName;
        var directory = Path.GetDirectoryName(Path.GetFullPath(target))!;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"Could not create the data folder {directory} ({e.Message.TrimEnd('.')}); pass --data with a folder that holds the two Parquet files.", e);
        }

        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.part");
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new UserError($"Could not download {url} (HTTP {(int)response.StatusCode} {response.ReasonPhrase}); put the two Parquet files in {directory} or pass --data DIR.");
            }

            long? total = response.Content.Headers.ContentLength;
            long done = 0;
            await using (var body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false))
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                    done += read;
                    progress?.Invoke(done, total);
                }

                await file.FlushAsync(cancellation).ConfigureAwait(false);
            }

            if (total is long expected && done != expected)
            {
                throw new UserError($"Could not download {url} (the connection closed after {done:N0} of {expected:N0} bytes); run the command again, or put the two Parquet files in {directory} or pass --data DIR.");
            }

            File.Move(temp, target, overwrite: false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            throw new UserError($"Could not download {url} ({Reason(e)}); put the two Parquet files in {directory} or pass --data DIR.", e);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    public void Dispose() => _http.Dispose();

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

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the name is hidden and unique, and never read as data.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
