using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Training;

public sealed class CpuTimeNoteTests
{
    [Fact]
    public void TheFullRecipeOnTheCpuGetsTheEstimateAndTheQuickCommand()
    {
        var note = CpuTimeNote.For(1.0, 40_000, 10_000);
        Assert.NotNull(note);
        Assert.Matches(@"estimated \d+\.\d hours per epoch", note);
        Assert.Contains(CpuTimeNote.QuickCommand, note);
        Assert.DoesNotContain("\n", note);
    }

    [Fact]
    public void QuickRunsGetNoNote()
    {
        Assert.Null(CpuTimeNote.For(0.25, 2_000, 500));
        Assert.Null(CpuTimeNote.For(0.125, 32, 8));
    }

    [Fact]
    public void TheQuickCommandIsTheReadmesOwn()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string readme = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(Path.Combine(dir.FullName, "IlgpuCnn.sln")))
            {
                Assert.Contains(CpuTimeNote.QuickCommand.Replace("ilgpucnn ", "", StringComparison.Ordinal), File.ReadAllText(readme));
                return;
            }
        }
    }
}
