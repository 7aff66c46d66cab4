using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

/// <summary>
/// The real CIFAR-10 files: <c>ILGPUCNN_DATA</c>, else <c>../shared/data/cifar10</c> next to the
/// folder holding IlgpuCnn.sln (found by walking up from the test binaries). Tests that need
/// them return early with a message when they are absent (xunit 2 has no dynamic skip).
/// </summary>
public static class RealData
{
    /// <summary>Test classes that decode the whole real dataset share this collection, so they run one after another.</summary>
    public const string CollectionName = "real-data";

    private static readonly Lazy<string?> Folder = new(Find);
    private static readonly Lazy<CifarDataset> Train = new(() => CifarParquetReader.Read(Path.Combine(Directory!, DataLocator.TrainFileName)));
    private static readonly Lazy<CifarDataset> Test = new(() => CifarParquetReader.Read(Path.Combine(Directory!, DataLocator.TestFileName)));

    /// <summary>The folder with both files, or null.</summary>
    public static string? Directory => Folder.Value;

    public static string AbsentReason => "real CIFAR-10 files not found (set ILGPUCNN_DATA or put them in ../shared/data/cifar10 beside the repository); test returns early";

    /// <summary>The whole training split, read once per test run.</summary>
    public static CifarDataset TrainSet => Train.Value;

    /// <summary>The whole test split, read once per test run.</summary>
    public static CifarDataset TestSet => Test.Value;

    private static string? Find()
    {
        var candidates = new List<string>();
        var env = Environment.GetEnvironmentVariable(DataLocator.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            candidates.Add(env);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IlgpuCnn.sln")))
            {
                candidates.Add(Path.Combine(dir.FullName, "..", "shared", "data", "cifar10"));
                break;
            }
        }

        return candidates
            .Select(Path.GetFullPath)
            .FirstOrDefault(c => File.Exists(Path.Combine(c, DataLocator.TrainFileName)) && File.Exists(Path.Combine(c, DataLocator.TestFileName)));
    }
}
