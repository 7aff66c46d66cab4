using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace IlgpuCnn.Tests.Architecture;

/// <summary>
/// No method, constructor, accessor, operator or local function in src/ or benchmarks/ is longer
/// than <see cref="MaxLines"/> lines (from its first modifier or type to its closing brace;
/// attributes and doc comments not counted), parsed with Roslyn — except the kernels in
/// <see cref="Allowed"/> and <see cref="AllowedInBenchmarks"/>, whose length is their unrolled math.
/// </summary>
public sealed class MethodLengthTests
{
    public const int MaxLines = 40;

    /// <summary>"Folder/File.cs: Type.Member" → why it may be longer.</summary>
    private static readonly Dictionary<string, string> Allowed = new()
    {
        ["IlgpuCnn/Kernels/Gemm/BlockedGemm.cs: BlockedGemm.Run"] = "one K loop of the register-blocked GEMM: global loads to registers, 16-byte shared stores, barriers and the 8×4 multiply-adds must stay in one body so the registers stay registers",
        ["IlgpuCnn/Kernels/Conv2dKernels.cs: Conv2dKernels.ForwardSimpleKernel"] = "the 3×3 taps of 4 output channels unrolled into Lanes4 registers for the CPU accelerator",
        ["IlgpuCnn/Kernels/Conv2dKernels.cs: Conv2dKernels.BackwardDataSimpleKernel"] = "dx gathered from dy over the 3×3 taps for 4 input channels, unrolled into registers",
        ["IlgpuCnn/Kernels/Conv2dKernels.cs: Conv2dKernels.BackwardWeightsSimpleKernel"] = "a 4×3 block of weight gradients (4 output channels × 3 kw taps) summed in 12 registers over n, oh, ow",
    };

    /// <summary>The same list for benchmarks/ (keys relative to benchmarks/): the lab's kernels only.</summary>
    private static readonly Dictionary<string, string> AllowedInBenchmarks = new()
    {
        ["IlgpuCnn.Benchmarks/Lab/TiledGemm.cs: TiledGemm.Run"] = "the lab's version 1 GEMM (the first generation, kept for BenchmarkDotNet comparisons): its K loop with cooperative loads, barriers and the 4×4 multiply-adds in one body so the registers stay registers",
    };

    /// <summary>The repository's root: the folder above the test binaries that holds IlgpuCnn.sln.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IlgpuCnn.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no IlgpuCnn.sln above {AppContext.BaseDirectory}");
    }

    private static string BenchmarksRoot() => Path.Combine(RepoRoot(), "benchmarks");

    /// <summary>Every member of src/ with its line count, as "Folder/File.cs: Type.Member".</summary>
    internal static IEnumerable<(string Key, int Lines)> Members(string sourceRoot)
    {
        var files = Directory.EnumerateFiles(sourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"));
        foreach (var file in files)
        {
            var root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetRoot();
            string name = Path.GetRelativePath(sourceRoot, file).Replace(Path.DirectorySeparatorChar, '/');
            foreach (var node in root.DescendantNodes().Where(IsMember))
            {
                yield return ($"{name}: {Owner(node)}.{MemberName(node)}", Lines(node));
            }
        }
    }

    private static bool IsMember(SyntaxNode node) =>
        node is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax;

    private static string Owner(SyntaxNode node) =>
        string.Join('.', node.Ancestors().OfType<BaseTypeDeclarationSyntax>().Reverse().Select(t => t.Identifier.Text));

    private static string MemberName(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax m => m.Identifier.Text,
        ConstructorDeclarationSyntax c => c.Identifier.Text + ".ctor",
        LocalFunctionStatementSyntax l => $"{l.Ancestors().OfType<BaseMethodDeclarationSyntax>().Select(m => MemberName(m)).FirstOrDefault()}.{l.Identifier.Text}",
        AccessorDeclarationSyntax a => $"{(a.Parent?.Parent as PropertyDeclarationSyntax)?.Identifier.Text ?? "this"}.{a.Keyword.Text}",
        OperatorDeclarationSyntax o => "operator " + o.OperatorToken.Text,
        ConversionOperatorDeclarationSyntax c => "operator " + c.Type,
        _ => node.Kind().ToString(),
    };

    private static int Lines(SyntaxNode node)
    {
        var first = node.ChildNodesAndTokens().First(c => !c.IsKind(SyntaxKind.AttributeList));
        var start = node.SyntaxTree.GetLineSpan(first.Span).StartLinePosition.Line;
        var end = node.SyntaxTree.GetLineSpan(node.Span).EndLinePosition.Line;
        return end - start + 1;
    }

    [Fact]
    public void NoMemberInSrcIsLongerThanFortyLinesExceptTheListedKernels()
    {
        var members = Members(Path.Combine(RepoRoot(), "src")).ToList();
        Assert.True(members.Count > 500, $"only {members.Count} members found under src/");
        var tooLong = members.Where(m => m.Lines > MaxLines && !Allowed.ContainsKey(m.Key)).Select(m => $"{m.Key} ({m.Lines} lines)");
        Assert.True(!tooLong.Any(), $"longer than {MaxLines} lines:\n" + string.Join("\n", tooLong));
    }

    [Fact]
    public void NoMemberInBenchmarksIsLongerThanFortyLinesExceptTheLabKernels()
    {
        var members = Members(BenchmarksRoot()).ToList();
        Assert.True(members.Count > 100, $"only {members.Count} members found under benchmarks/");
        var tooLong = members.Where(m => m.Lines > MaxLines && !AllowedInBenchmarks.ContainsKey(m.Key)).Select(m => $"{m.Key} ({m.Lines} lines)");
        Assert.True(!tooLong.Any(), $"longer than {MaxLines} lines:\n" + string.Join("\n", tooLong));
    }

    [Fact]
    public void EveryAllowedBenchmarkMemberIsALabKernelAndStillLong()
    {
        var lengths = Members(BenchmarksRoot()).GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.Max(m => m.Lines));
        Assert.All(AllowedInBenchmarks.Keys, key =>
        {
            Assert.StartsWith("IlgpuCnn.Benchmarks/Lab/", key, StringComparison.Ordinal);
            Assert.True(lengths.TryGetValue(key, out int lines) && lines > MaxLines, $"{key} is gone or no longer long: remove it from the list");
        });
    }

    [Fact]
    public void EveryAllowedMemberIsAKernelAndStillLong()
    {
        var lengths = Members(Path.Combine(RepoRoot(), "src")).GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.Max(m => m.Lines));
        Assert.All(Allowed.Keys, key =>
        {
            Assert.StartsWith("IlgpuCnn/Kernels/", key, StringComparison.Ordinal);
            Assert.True(lengths.TryGetValue(key, out int lines) && lines > MaxLines, $"{key} is gone or no longer long: remove it from the list");
        });
    }

    [Fact]
    public void TheCounterSeesALongMethod()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ilgpucnn-length-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var body = string.Join("\n", Enumerable.Range(0, 45).Select(i => $"        int v{i} = {i};"));
            File.WriteAllText(Path.Combine(dir, "Long.cs"), $"class Long\n{{\n    [System.Obsolete]\n    void Method()\n    {{\n{body}\n    }}\n\n    int Short => 1;\n}}\n");
            var members = Members(dir).ToDictionary(m => m.Key, m => m.Lines);
            Assert.Equal(48, members["Long.cs: Long.Method"]);
            Assert.DoesNotContain(members.Keys, k => k.Contains("Short", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
