namespace IlgpuCnn.Tests;

/// <summary>Locates the tutorial's reference files.</summary>
internal static class RepoPaths
{
    /// <summary>A file of the Keras tutorial's reference figures (tests/IlgpuCnn.Tests/Reference, copied beside the test binaries).</summary>
    public static string SharedReference(string fileName) => Path.Combine(AppContext.BaseDirectory, "Reference", fileName);
}
