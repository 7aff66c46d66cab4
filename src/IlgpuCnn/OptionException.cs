namespace IlgpuCnn;

/// <summary>
/// An option out of range: <see cref="Option"/> is the property's name (e.g. <c>BatchSize</c>) and
/// <see cref="Sentence"/> says what is wrong in the library's words; the CLI turns it into a
/// sentence about its flag.
/// </summary>
public sealed class OptionException : ArgumentException
{
    public OptionException(string option, string sentence)
        : base(sentence, option)
    {
        Option = option;
        Sentence = sentence;
    }

    public string Option { get; }

    public string Sentence { get; }

    /// <summary>Throws when <paramref name="ok"/> is false.</summary>
    public static void Require(bool ok, string option, string sentence)
    {
        if (!ok)
        {
            throw new OptionException(option, sentence);
        }
    }
}
