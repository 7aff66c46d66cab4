using System.CommandLine;
using System.Text.RegularExpressions;
using IlgpuCnn.Tests.Architecture;

namespace IlgpuCnn.Tests.Cli;

/// <summary>
/// docs/CONTRACT.md's command table lists exactly the commands and flags of the CLI's own command
/// tree (System.CommandLine, as <c>--help</c> prints it): a flag added to the CLI without the
/// document, or left in the document after it went, fails with the row to write.
/// </summary>
public sealed partial class ContractTests
{
    private const string Everywhere = "(every command)";

    [Fact]
    public void TheCommandTableListsEveryCommandAndFlag()
    {
        var documented = Rows(File.ReadAllLines(Path.Combine(MethodLengthTests.RepoRoot(), "docs", "CONTRACT.md")));
        var problems = new List<string>();
        foreach (var (command, flags) in CliFlags())
        {
            if (!documented.TryGetValue(command, out var listed))
            {
                problems.Add($"add a row for `{command}`: | `{command}` | {string.Join(", ", flags.Select(f => $"`{f}`"))} | what it does |");
                continue;
            }

            problems.AddRange(flags.Except(listed).Select(f => $"add `{f}` to the `{command}` row"));
            problems.AddRange(listed.Except(flags).Select(f => $"remove `{f}` from the `{command}` row: the CLI has no such flag"));
        }

        problems.AddRange(documented.Keys.Except(CliFlags().Select(c => c.Command)).Select(c => $"remove the `{c}` row: the CLI has no such command"));
        Assert.True(problems.Count == 0, "docs/CONTRACT.md's table of commands and flags (## The command line) disagrees with the CLI:\n" + string.Join("\n", problems));
    }

    /// <summary>Each command of the CLI (subcommands as "data fetch") with its flags; the root's recursive flags as <see cref="Everywhere"/>.</summary>
    private static List<(string Command, List<string> Flags)> CliFlags()
    {
        var root = IlgpuCnn.Cli.Cli.Build();
        var rows = new List<(string, List<string>)> { (Everywhere, Names(root)) };
        void Walk(Command c, string prefix)
        {
            string name = (prefix + " " + c.Name).Trim();
            rows.Add((name, Names(c)));
            foreach (var sub in c.Subcommands)
            {
                Walk(sub, name);
            }
        }

        foreach (var c in root.Subcommands)
        {
            Walk(c, "");
        }

        return rows;
    }

    /// <summary>A command's own flags, without System.CommandLine's built-in --help and --version.</summary>
    private static List<string> Names(Command c) =>
        c.Options.Where(o => o is not System.CommandLine.Help.HelpOption and not VersionOption).Select(o => o.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>The rows of the table in "## The command line": | `command` | `--flag`, `--flag` | … |.</summary>
    private static Dictionary<string, List<string>> Rows(string[] lines) => lines
        .SkipWhile(l => l != "## The command line")
        .TakeWhile((l, i) => i == 0 || !l.StartsWith("## ", StringComparison.Ordinal))
        .Select(l => RowPattern().Match(l))
        .Where(m => m.Success)
        .ToDictionary(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value, m => FlagPattern().Matches(m.Groups[3].Value).Select(f => f.Groups[1].Value).ToList());

    [GeneratedRegex(@"^\| (?:`([a-z][a-z ]*[a-z])`|(\(every command\))) \|([^|]*)\|")]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"`(--[a-z-]+)`")]
    private static partial Regex FlagPattern();
}
