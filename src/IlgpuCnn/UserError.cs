namespace IlgpuCnn;

/// <summary>
/// A problem the user can fix (a missing file, a bad flag value, a truncated checkpoint).
/// The message is one plain sentence naming the file or value and what to do; the CLI prints
/// it without a stack trace and exits non-zero.
/// </summary>
public sealed class UserError : Exception
{
    public UserError(string message) : base(message) { }

    public UserError(string message, Exception inner) : base(message, inner) { }
}
