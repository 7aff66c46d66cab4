using System.Diagnostics;
using System.Text;

namespace IlgpuCnn.Tests.Cli;

/// <summary>
/// Runs <c>ilgpucnn</c> as a child process (the ilgpucnn.dll copied beside the test binaries), for
/// what cannot be tested in-process: signals, exit codes of the real process, and cases that
/// would hang (a timeout kills the child, the test fails instead of hanging the suite).
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly object _gate = new();

    private CliProcess(string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ilgpucnn.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        _process = new Process { StartInfo = start };
        _process.Start();
        // Character by character: progress lines end with '\r', not a newline.
        _pumps = [Pump(_process.StandardOutput, _out), Pump(_process.StandardError, _err)];
    }

    private readonly Task[] _pumps;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Out
    {
        get
        {
            lock (_gate)
            {
                return _out.ToString();
            }
        }
    }

    public string Err
    {
        get
        {
            lock (_gate)
            {
                return _err.ToString();
            }
        }
    }

    /// <summary>Starts <c>ilgpucnn args...</c>.</summary>
    public static CliProcess Start(string[] args, IReadOnlyDictionary<string, string>? environment = null) => new(args, environment);

    /// <summary>Runs to the end or kills it after <paramref name="timeout"/>: (exit code or null when killed, stdout, stderr, seconds).</summary>
    public static (int? Code, string Out, string Err, double Seconds) Run(TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        using var child = Start(args, environment);
        int? code = child.WaitForExit(timeout);
        return (code, child.Out, child.Err, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Waits until stdout contains <paramref name="text"/> (true) or the process ends or the time is up (false).</summary>
    public bool WaitForOutput(string text, TimeSpan timeout) => WaitFor(() => Out, text, timeout);

    /// <summary>Waits until stderr contains <paramref name="text"/> (true) or the process ends or the time is up (false).</summary>
    public bool WaitForError(string text, TimeSpan timeout) => WaitFor(() => Err, text, timeout);

    private bool WaitFor(Func<string> stream, string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (stream().Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (_process.HasExited)
            {
                return stream().Contains(text, StringComparison.Ordinal);
            }

            Thread.Sleep(20);
        }

        return false;
    }

    /// <summary>Sends a POSIX signal (e.g. "TERM", "INT", "HUP") with kill(1).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>The exit code, or null when it had to be killed after <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            return null;
        }

        _process.WaitForExit();
        Task.WaitAll(_pumps, TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private Task Pump(StreamReader from, StringBuilder to) => Task.Run(async () =>
    {
        var buffer = new char[4096];
        int read;
        while ((read = await from.ReadAsync(buffer.AsMemory())) > 0)
        {
            lock (_gate)
            {
                to.Append(buffer, 0, read);
            }
        }
    });
}
