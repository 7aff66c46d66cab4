using System.Runtime.InteropServices;

namespace IlgpuCnn.Cli;

/// <summary>
/// SIGINT (Ctrl+C), SIGTERM (schedulers, <c>docker stop</c>, systemd) and SIGHUP (a closed terminal)
/// are handled alike: the first one cancels <see cref="Token"/> and prints what will happen now
/// (<paramref name="whatHappens"/>, asked at that moment: it depends on the phase of the command);
/// a second one is left to the system's default action, which ends the process at once. When
/// <paramref name="whatHappens"/> returns null the command has nothing to finish and the first
/// signal also takes the default action. <see cref="ExitCode"/> is the conventional 128 + signal.
/// </summary>
public sealed class SignalHandling : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly Func<string?> _whatHappens;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;

    public SignalHandling(Func<string?> whatHappens)
    {
        _whatHappens = whatHappens;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, Handle));
        }
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Signal { get; private set; }

    /// <summary>128 + the signal's number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP); 1 when none came.</summary>
    public int ExitCode => Signal is { } s ? 128 + Number(s) : 1;

    /// <summary>The signal's usual name, e.g. "SIGTERM".</summary>
    public static string Name(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => "SIGINT, Ctrl+C",
        PosixSignal.SIGTERM => "SIGTERM",
        PosixSignal.SIGHUP => "SIGHUP",
        _ => signal.ToString(),
    };

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _cancel.Dispose();
    }

    private static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        _ => (int)signal > 0 ? (int)signal : 0,
    };

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _received) > 1)
        {
            return; // the second signal: the default action ends the process
        }

        string? what = _whatHappens();
        if (what is null)
        {
            return;
        }

        context.Cancel = true;
        Signal = context.Signal;
        Console.Error.WriteLine();
        Console.Error.WriteLine($"Interrupted ({Name(context.Signal)}): {what} (interrupt again to abort at once).");
        _cancel.Cancel();
    }
}
