using System.Globalization;
using System.Text.RegularExpressions;

namespace IlgpuCnn.Benchmarks.Toolchain;

/// <summary>What <c>ptxas -v</c> says about one kernel.</summary>
/// <param name="Registers">registers per thread</param>
/// <param name="SharedBytes">static shared memory per group</param>
/// <param name="StackFrame">bytes of local stack frame per thread</param>
/// <param name="SpillStores">bytes of register spill stores</param>
/// <param name="SpillLoads">bytes of register spill loads</param>
/// <param name="CubinPath">the assembled cubin (for cuobjdump)</param>
public sealed record AssembledKernel(int Registers, int SharedBytes, int StackFrame, int SpillStores, int SpillLoads, string CubinPath);

/// <summary>Assembles ILGPU's PTX with NVIDIA's ptxas and reads its resource report.</summary>
public static partial class PtxAssembler
{
    /// <summary>Assembles <paramref name="ptx"/> for <paramref name="arch"/> (e.g. "sm_90") in <paramref name="workDir"/>.</summary>
    public static AssembledKernel Assemble(string ptx, string arch, string workDir, string baseName)
    {
        Directory.CreateDirectory(workDir);
        string ptxPath = Path.Combine(workDir, baseName + ".ptx");
        string cubin = Path.Combine(workDir, $"{baseName}.{arch}.cubin");
        File.WriteAllText(ptxPath, ptx);
        string report = CudaTools.Run("ptxas", ["-arch=" + arch, "-v", "-o", cubin, ptxPath], workDir);
        return Parse(report, cubin);
    }

    /// <summary>
    /// <see cref="Assemble"/>, reusing the cubin and report a previous run left in
    /// <paramref name="workDir"/> when the PTX there is the same text (the static command's --dump folder).
    /// </summary>
    public static AssembledKernel AssembleCached(string ptx, string arch, string workDir, string baseName)
    {
        string cubin = Path.Combine(workDir, $"{baseName}.{arch}.cubin");
        string reportPath = Path.Combine(workDir, $"{baseName}.{arch}.ptxas.txt");
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ptx)));
        if (File.Exists(cubin) && File.Exists(reportPath))
        {
            string[] saved = File.ReadAllText(reportPath).Split('\n', 2);
            if (saved.Length == 2 && saved[0] == hash)
            {
                return Parse(saved[1], cubin);
            }
        }

        var kernel = Assemble(ptx, arch, workDir, baseName);
        File.WriteAllText(reportPath, hash + "\n" + Report(kernel));
        return kernel;
    }

    /// <summary>A ptxas -v report <see cref="Parse"/> reads back as <paramref name="k"/>.</summary>
    private static string Report(AssembledKernel k) =>
        $"Compiling entry function\n{k.StackFrame} bytes stack frame, {k.SpillStores} bytes spill stores, {k.SpillLoads} bytes spill loads\nUsed {k.Registers} registers, {k.SharedBytes} bytes smem\n";

    /// <summary>Reads registers, shared memory, stack frame and spills of the entry function from a ptxas -v report.</summary>
    public static AssembledKernel Parse(string report, string cubin)
    {
        // The entry's block follows "Compiling entry function"; .func helpers have their own lines before it.
        int at = report.IndexOf("Compiling entry function", StringComparison.Ordinal);
        string entry = at >= 0 ? report[at..] : report;
        var props = Props().Match(entry);
        var used = Used().Match(entry);
        if (!props.Success || !used.Success)
        {
            throw new InvalidOperationException("unexpected ptxas -v report: " + report.Trim());
        }

        var smem = Smem().Match(used.Value);
        return new AssembledKernel(
            Int(used.Groups[1].Value),
            smem.Success ? Int(smem.Groups[1].Value) : 0,
            Int(props.Groups[1].Value),
            Int(props.Groups[2].Value),
            Int(props.Groups[3].Value),
            cubin);
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")]
    private static partial Regex Props();

    [GeneratedRegex(@"Used (\d+) registers[^\n]*")]
    private static partial Regex Used();

    [GeneratedRegex(@"(\d+) bytes smem")]
    private static partial Regex Smem();
}
