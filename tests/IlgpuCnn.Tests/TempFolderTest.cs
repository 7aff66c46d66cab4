namespace IlgpuCnn.Tests;

/// <summary>A test class with its own fresh temp folder (<see cref="Dir"/>), deleted after each test.</summary>
public abstract class TempFolderTest : IDisposable
{
    private readonly TempDirectory _temp = new();

    protected string Dir => _temp.Path;

    public void Dispose()
    {
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
