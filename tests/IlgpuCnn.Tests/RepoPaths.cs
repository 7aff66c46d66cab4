namespace IlgpuCnn.Tests;

/// <summary>Locates the repository (the folder holding IlgpuCnn.sln) and the shared reference files beside it.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding IlgpuCnn.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary><c>../shared/reference</c> relative to the repository root.</summary>
    public static string SharedReference(string fileName) =>
        Path.GetFullPath(Path.Combine(Root, "..", "shared", "reference", fileName));

    private static string FindRoot()
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
}
