using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

/// <summary>
/// Servers on 127.0.0.1 that accept the connection and then go silent (no headers; headers but no
/// body; half the body): each download ends within its stall timeout with one sentence and leaves
/// no file behind; a cancelled download removes its partial file; stale partial files of killed
/// runs are removed.
/// </summary>
public sealed class StalledDownloadTests : IDisposable
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(2);
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(null, "no response headers")]
    [InlineData(0, "no data after 0 of 100,000 bytes")]
    [InlineData(30_000, "no data after 30,000 of 100,000 bytes")]
    public async Task ASilentServerEndsTheDownloadWithinTheStallTimeout(int? bodyBytes, string said)
    {
        using var server = SilentServer.Start(bodyBytes, 100_000);
        string target = Path.Combine(_dir, "cache");
        using var downloader = new CifarDownloader(server.BaseUrl, Stall);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));
        Assert.True(clock.Elapsed < Stall * 5, $"took {clock.Elapsed.TotalSeconds:F1} s with a {Stall.TotalSeconds} s stall timeout");
        Assert.Contains(said, e.Message);
        Assert.Contains("for 2 s", e.Message);
        Assert.Contains("partial file removed", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public async Task ACancelledDownloadRemovesItsPartialFile()
    {
        using var server = SilentServer.Start(30_000, 100_000);
        string target = Path.Combine(_dir, "cache");
        using var downloader = new CifarDownloader(server.BaseUrl, TimeSpan.FromSeconds(60));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var task = downloader.EnsureAsync(target, (_, done, _) =>
        {
            if (done >= 30_000)
            {
                cancel.CancelAfter(200);
            }
        }, cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public async Task PartialFilesOfKilledRunsAreRemovedAndASecondDownloadWaitsItsTurn()
    {
        string target = Path.Combine(_dir, "cache");
        Directory.CreateDirectory(target);
        string stale = Path.Combine(target, $".{DataLocator.TrainFileName}.0123456789abcdef.tmp");
        string fresh = Path.Combine(target, $".{DataLocator.TrainFileName}.fedcba9876543210.tmp");
        await File.WriteAllBytesAsync(stale, new byte[100], TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(fresh, new byte[100], TestContext.Current.CancellationToken);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - CifarDownloader.StalePartAge - TimeSpan.FromMinutes(1));
        using var server = SilentServer.Start(null, 0);
        using var downloader = new CifarDownloader(server.BaseUrl, TimeSpan.FromMilliseconds(300));
        using (DownloadLock.Acquire(target))
        {
            // Another download holds the folder: refused, and its partial files are left alone.
            var busy = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));
            Assert.Contains("Another ilgpucnn is downloading", busy.Message);
            Assert.True(File.Exists(fresh));
        }

        // Under the folder's lock no download is running, so every partial file is a killed one's, however young.
        await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(target, cancellation: TestContext.Current.CancellationToken));
        Assert.False(File.Exists(stale), "a partial file of a killed run was left");
        Assert.False(File.Exists(fresh), "a young partial file of a killed run was left");
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    /// <summary>
    /// A raw HTTP server on 127.0.0.1: sends nothing (<c>bodyBytes</c> null), or the headers
    /// promising <c>length</c> bytes and then <c>bodyBytes</c> of them, then keeps the connection open and silent.
    /// </summary>
    internal sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _clients = [];
        private readonly Task _loop;

        private SilentServer(int? bodyBytes, long length)
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (Exception) when (_stop.IsCancellationRequested)
                    {
                        return;
                    }

                    lock (_clients)
                    {
                        _clients.Add(client);
                    }

                    if (bodyBytes is int n)
                    {
                        var stream = client.GetStream();
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nContent-Type: application/octet-stream\r\n\r\n"));
                        await stream.WriteAsync(new byte[n]);
                        await stream.FlushAsync();
                    }
                }
            });
        }

        public string BaseUrl { get; }

        public static SilentServer Start(int? bodyBytes, long length) => new(bodyBytes, length);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _loop.Wait(TimeSpan.FromSeconds(5));
            lock (_clients)
            {
                foreach (var c in _clients)
                {
                    c.Dispose();
                }
            }

            _stop.Dispose();
        }
    }
}
