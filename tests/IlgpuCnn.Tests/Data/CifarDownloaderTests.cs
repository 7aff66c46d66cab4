using System.Net;
using System.Net.Sockets;
using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

/// <summary>Downloads from an <see cref="HttpListener"/> on 127.0.0.1 only.</summary>
public sealed class CifarDownloaderTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task DownloadsBothFilesThroughATempFileAndReportsProgress()
    {
        var source = Path.Combine(_dir, "source.parquet");
        TestParquet.Write(source, TestParquet.RandomRows(7));
        var payload = await File.ReadAllBytesAsync(source, TestContext.Current.CancellationToken);
        using var server = LoopbackServer.Start(async (request, response) =>
        {
            response.ContentLength64 = payload.Length;
            // In chunks so progress is reported more than once.
            for (int at = 0; at < payload.Length; at += 4096)
            {
                await response.OutputStream.WriteAsync(payload.AsMemory(at, Math.Min(4096, payload.Length - at)));
                await response.OutputStream.FlushAsync();
            }

            response.Close();
        });

        var target = Path.Combine(_dir, "cache");
        var progress = new List<(string Name, long Done, long? Total)>();
        using var downloader = new CifarDownloader(server.BaseUrl + "plain_text/");
        var downloaded = await downloader.EnsureAsync(target, (name, done, total) => progress.Add((name, done, total)), TestContext.Current.CancellationToken);

        Assert.Equal(new[] { DataLocator.TrainFileName, DataLocator.TestFileName }, downloaded);
        Assert.Equal(new[] { "/plain_text/" + DataLocator.TrainFileName, "/plain_text/" + DataLocator.TestFileName }, server.Paths);
        foreach (var name in downloaded)
        {
            Assert.Equal(payload, await File.ReadAllBytesAsync(Path.Combine(target, name), TestContext.Current.CancellationToken));
        }

        Assert.Equal(new[] { DataLocator.TestFileName, DataLocator.TrainFileName }, Directory.GetFiles(target).Select(Path.GetFileName).Order());
        Assert.True(progress.Count(p => p.Name == DataLocator.TrainFileName) > 1);
        Assert.Equal((long)payload.Length, progress.Last().Done);
        Assert.All(progress, p => Assert.Equal(payload.Length, p.Total));

        // The downloaded file is a readable CIFAR-shaped Parquet file.
        Assert.Equal(7, CifarParquetReader.Read(Path.Combine(target, DataLocator.TrainFileName)).Count);

        // Present files are not downloaded again.
        Assert.Empty(await downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));
        Assert.Equal(2, server.Paths.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheSizeAndSha256PublishedOnTheRedirectAreChecked(bool matching)
    {
        var payload = new byte[20_000];
        new Random(4).NextBytes(payload);
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(payload));
        string published = matching ? sha : new string('0', 64);
        using var server = LoopbackServer.Start(async (request, response) =>
        {
            if (request.Url!.AbsolutePath.StartsWith("/resolve/", StringComparison.Ordinal))
            {
                // Like the hub: a redirect to the storage that carries the LFS file's size and SHA-256.
                response.StatusCode = 302;
                response.RedirectLocation = "/storage/" + request.Url.Segments[^1];
                response.AddHeader("X-Linked-Size", payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
                response.AddHeader("X-Linked-Etag", $"\"{published}\"");
                response.Close();
                return;
            }

            response.ContentLength64 = payload.Length;
            await response.OutputStream.WriteAsync(payload);
            response.Close();
        });

        var target = Path.Combine(_dir, "cache");
        using var downloader = new CifarDownloader(server.BaseUrl + "resolve/");
        if (matching)
        {
            await downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(payload, await File.ReadAllBytesAsync(Path.Combine(target, DataLocator.TrainFileName), TestContext.Current.CancellationToken));
            Assert.Contains("/storage/" + DataLocator.TrainFileName, server.Paths);
        }
        else
        {
            var e = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));
            Assert.Contains($"its SHA-256 is {sha}, but the published file's is {published}", e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(target));
        }
    }

    [Fact]
    public async Task ConnectionDroppedMidFileLeavesNoFileBehind()
    {
        using var server = LoopbackServer.Start(async (request, response) =>
        {
            response.ContentLength64 = 100_000;
            await response.OutputStream.WriteAsync(new byte[10_000]);
            await response.OutputStream.FlushAsync();
            response.Abort(); // drop the connection after 10% of the promised bytes
        });

        var target = Path.Combine(_dir, "cache");
        using var downloader = new CifarDownloader(server.BaseUrl);
        var e = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));

        Assert.Contains("Could not download", e.Message);
        Assert.Contains(DataLocator.TrainFileName, e.Message);
        Assert.Contains(target, e.Message);
        Assert.Contains("--data", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public async Task UnreachableServerSaysWhereToPutTheFiles()
    {
        int port = FreePort(); // nothing listens there
        var target = Path.Combine(_dir, "cache");
        using var downloader = new CifarDownloader($"http://127.0.0.1:{port}/", TimeSpan.FromSeconds(10));
        var e = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));

        Assert.StartsWith($"Could not download http://127.0.0.1:{port}/{DataLocator.TrainFileName}", e.Message);
        Assert.Contains($"put the two Parquet files in {target} or pass --data DIR", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public async Task HttpErrorStatusIsAUserError()
    {
        using var server = LoopbackServer.Start((request, response) =>
        {
            response.StatusCode = 404;
            response.Close();
            return Task.CompletedTask;
        });

        var target = Path.Combine(_dir, "cache");
        using var downloader = new CifarDownloader(server.BaseUrl);
        var e = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));
        Assert.Contains("HTTP 404", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Theory]
    [InlineData("file:///etc/passwd", "file")]
    [InlineData("ftp://127.0.0.1:9/cifar10/train-00000-of-00001.parquet", "ftp")]
    public async Task ARedirectToAnotherSchemeIsRefusedWithThePasswordMasked(string location, string scheme)
    {
        using var server = LoopbackServer.Start((request, response) =>
        {
            response.StatusCode = 302;
            response.RedirectLocation = location;
            response.Close();
            return Task.CompletedTask;
        });

        var target = Path.Combine(_dir, "cache");
        string withPassword = server.BaseUrl.Replace("http://", "http://user:secret@", StringComparison.Ordinal);
        using var downloader = new CifarDownloader(withPassword);
        var e = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));
        Assert.StartsWith($"Could not download {server.BaseUrl.Replace("http://", "http://***@", StringComparison.Ordinal)}{DataLocator.TrainFileName}: the server redirected it to a URL of the '{scheme}' scheme", e.Message);
        Assert.DoesNotContain("secret", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public async Task AnEndlessBodyIsCutAtTheAnnouncedSize()
    {
        using var server = LoopbackServer.Start(async (request, response) =>
        {
            if (request.Url!.AbsolutePath.StartsWith("/resolve/", StringComparison.Ordinal))
            {
                response.StatusCode = 302; // the hub's redirect announces the size; the storage then sends no Content-Length
                response.RedirectLocation = "/storage/" + request.Url.Segments[^1];
                response.AddHeader("X-Linked-Size", "10000");
                response.Close();
                return;
            }

            response.SendChunked = true;
            for (int i = 0; i < 100; i++)
            {
                await response.OutputStream.WriteAsync(new byte[1000]);
            }

            response.Close();
        });

        var target = Path.Combine(_dir, "cache");
        using var downloader = new CifarDownloader(server.BaseUrl + "resolve/");
        var e = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));
        Assert.Contains("the server sent more than the 10,000 bytes it announced", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public async Task APasswordInAnUnreachableUrlIsMasked()
    {
        int port = FreePort(); // nothing listens there
        using var downloader = new CifarDownloader($"http://user:secret@127.0.0.1:{port}/", TimeSpan.FromSeconds(10));
        var e = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(Path.Combine(_dir, "cache"), cancellation: TestContext.Current.CancellationToken));
        Assert.StartsWith($"Could not download http://***@127.0.0.1:{port}/{DataLocator.TrainFileName}", e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>An HttpListener on 127.0.0.1 answering every request with a handler.</summary>
    private sealed class LoopbackServer : IDisposable
    {
        private readonly HttpListener _listener;
        private readonly Task _loop;

        private LoopbackServer(HttpListener listener, Func<HttpListenerRequest, HttpListenerResponse, Task> handler, string baseUrl)
        {
            _listener = listener;
            BaseUrl = baseUrl;
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception) when (!_listener.IsListening)
                    {
                        return;
                    }

                    lock (Paths)
                    {
                        Paths.Add(context.Request.Url!.AbsolutePath);
                    }

                    try
                    {
                        await handler(context.Request, context.Response);
                    }
                    catch (HttpListenerException)
                    {
                        // The client went away; the next request is served.
                    }
                    catch (ObjectDisposedException) when (!_listener.IsListening)
                    {
                        // Stopped mid-response (a test that cut the body short ends while its handler still writes).
                        return;
                    }
                }
            });
        }

        public string BaseUrl { get; }

        public List<string> Paths { get; } = [];

        public static LoopbackServer Start(Func<HttpListenerRequest, HttpListenerResponse, Task> handler)
        {
            for (int attempt = 0; ; attempt++)
            {
                var baseUrl = $"http://127.0.0.1:{FreePort()}/";
                var listener = new HttpListener();
                listener.Prefixes.Add(baseUrl);
                try
                {
                    listener.Start();
                    return new LoopbackServer(listener, handler, baseUrl);
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                    listener.Close();
                }
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
