using System.CommandLine;
using IlgpuCnn.Device;
using IlgpuCnn.Diagnostics;

namespace IlgpuCnn.Cli.Commands;

/// <summary>
/// <c>ilgpucnn selftest [--device auto|cuda|opencl|cpu] [--quick] [--only ...]</c>: conv2d on one shape
/// per body a GPU's kernel plan can pick (Simple, Cursor, Run64, Run32), the other ops and a few
/// model steps, run on the device and on the CPU reference (its Simple bodies) from the same random
/// inputs, compared output by output; prints the table (each row names its plan body) and exits 1
/// naming the first kernel that disagrees. With <c>--device cpu</c> (or auto without a GPU) the
/// device under test is the GPU-shaped CPU accelerator running an H100's plan, so the GPU bodies
/// are checked against the Simple ones there.
/// </summary>
public static class SelfTestCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "auto (CUDA, else a usable OpenCL device, else the GPU-shaped CPU accelerator), cuda, opencl, or cpu.", DefaultValueFactory = _ => "auto" };
        var quick = new Option<bool>("--quick") { Description = "One seed and one model step (the form train runs before its first epoch)." };
        var only = new Option<string[]>("--only") { Description = "Run only the checks whose kernel name starts with one of these (e.g. conv2d model-step).", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("selftest", "Check that the device computes what the CPU reference computes: one conv shape per kernel-plan body, every other op and a few model steps, from the same random inputs.")
        {
            device, quick, only,
        };
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            var kind = SharedOptions.DeviceKindOf(parse.GetValue(device)!);
            var options = SelfTestOptions.For(simulator: kind == DeviceKind.Cpu || (kind == DeviceKind.Auto && !ComputeDevice.HasCompiledDevice()), parse.GetValue(quick));
            var names = parse.GetValue(only) ?? [];
            var all = SelfTest.DefaultChecks(options).ToList();
            bool Matches(SelfTestCheck c, string n) => n.Trim().Length > 0 && c.Kernel.StartsWith(n.Trim(), StringComparison.OrdinalIgnoreCase);
            var unknown = names.Where(n => !all.Any(c => Matches(c, n))).ToList();
            if (unknown.Count > 0 || (names.Length == 0 && parse.GetResult(only) is { Implicit: false }))
            {
                throw new UserError($"--only {(unknown.Count > 0 ? string.Join(' ', unknown.Select(n => $"'{n}'")) : "without a name")} matches no check; pass names from: {string.Join(", ", all.Select(c => c.Kernel).Distinct())}.");
            }

            var checks = all.Where(c => names.Length == 0 || names.Any(n => Matches(c, n))).ToList();

            return Run(kind, options, checks, Console.Out, Console.Error);
        }));
        return cmd;
    }

    /// <summary>Runs <paramref name="checks"/>, printing each row as it is done; returns 0, or 1 after one sentence on <paramref name="error"/>.</summary>
    public static int Run(DeviceKind kind, SelfTestOptions options, IEnumerable<SelfTestCheck> checks, TextWriter output, TextWriter error)
    {
        using var device = Open(kind);
        using var reference = ComputeDevice.Create(DeviceKind.Cpu);
        output.WriteLine($"Self-test: {device.Name}{(device.IsSimulator ? " (GPU-shaped)" : "")} against the CPU accelerator's simple kernels; seeds {string.Join(", ", options.Seeds)}; {options.ModelSteps} model step(s) of width {ModelStepCheck.Width}, batch {options.ModelBatch} of {options.ModelImageSize}×{options.ModelImageSize}");
        bool header = false;
        var report = SelfTest.Run(device, reference, checks, options, row =>
        {
            var lines = new SelfTestReport("", "", [row], TimeSpan.Zero).Table().ToList();
            if (!header)
            {
                output.WriteLine(lines[0]);
                header = true;
            }

            output.WriteLine(lines[1]);
        });
        output.WriteLine($"{report.Rows.Count(r => r.Passed)} of {report.Rows.Count} outputs agree ({report.Elapsed.TotalSeconds:F1} s).");
        if (!report.Passed)
        {
            error.WriteLine($"error: {report.FailureSentence}; do not trust training on this device until it agrees (report it with this table).");
            return 1;
        }

        return 0;
    }

    /// <summary>CUDA or OpenCL when asked (or found, for auto), else the GPU-shaped CPU accelerator.</summary>
    private static ComputeDevice Open(DeviceKind kind)
    {
        if (kind == DeviceKind.Cpu)
        {
            return ComputeDevice.Create(DeviceKind.Cpu, gpuShapedCpu: true);
        }

        var device = ComputeDevice.Create(kind);
        if (device.RunsGpuBodies)
        {
            return device;
        }

        device.Dispose();
        return ComputeDevice.Create(DeviceKind.Cpu, gpuShapedCpu: true);
    }
}
