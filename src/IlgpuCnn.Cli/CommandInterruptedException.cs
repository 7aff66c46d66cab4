namespace IlgpuCnn.Cli;

/// <summary>A command stopped by a signal after cleaning up: <see cref="Cli.Guard"/> prints the message and exits with <see cref="ExitCode"/> (128 + signal).</summary>
public sealed class CommandInterruptedException : Exception
{
    public CommandInterruptedException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}
