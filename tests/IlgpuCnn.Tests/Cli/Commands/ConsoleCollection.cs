namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>Tests that redirect Console.Out/Error run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
