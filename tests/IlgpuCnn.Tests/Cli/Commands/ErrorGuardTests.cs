namespace IlgpuCnn.Tests.Cli.Commands;

public sealed class ErrorGuardTests
{
    [Fact]
    public void OutOfMemoryIsRecognisedAlsoWhenWrapped()
    {
        Assert.True(IlgpuCnn.Cli.Cli.IsOutOfMemory(new OutOfMemoryException()));
        Assert.True(IlgpuCnn.Cli.Cli.IsOutOfMemory(new InvalidOperationException("kernel launch failed", new OutOfMemoryException())));
        Assert.False(IlgpuCnn.Cli.Cli.IsOutOfMemory(new InvalidOperationException("something else")));
        Assert.False(IlgpuCnn.Cli.Cli.IsOutOfMemory(null));
    }
}
