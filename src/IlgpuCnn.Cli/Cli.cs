using System.CommandLine;

namespace IlgpuCnn.Cli;

/// <summary>The command tree of <c>ilgpucnn</c>; each command lives in Commands/ and adds itself here.</summary>
public static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("IlgpuCnn: train a VGG-style CNN on CIFAR-10 with kernels compiled by ILGPU.");
        return root;
    }

    public static int Run(string[] args) => Build().Parse(args).Invoke();
}
