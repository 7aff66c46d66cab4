using BenchmarkDotNet.Running;
using IlgpuCnn.Benchmarks.Static;

namespace IlgpuCnn.Benchmarks;

internal static class Program
{
    /// <summary><c>static [--dump DIR]</c>: the static profile (STATIC.md); anything else goes to BenchmarkDotNet.</summary>
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "static")
        {
            return StaticCommand.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
