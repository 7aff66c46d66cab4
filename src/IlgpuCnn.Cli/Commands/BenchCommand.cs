using System.CommandLine;
using System.Globalization;
using IlgpuCnn.Device;
using IlgpuCnn.Training;

namespace IlgpuCnn.Cli.Commands;

/// <summary><c>ilgpucnn bench</c>: training and inference images/s and the time of every op in a step.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var device = SharedOptions.Device();
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 64 };
        var steps = new Option<int?>("--steps") { Description = "Timed steps (default: 50 on CUDA, 20 on OpenCL, 5 on the CPU accelerator)." };
        var width = new Option<double>("--width") { Description = "Model width multiplier.", DefaultValueFactory = _ => 1.0 };
        var cmd = new Command("bench", "Measure training and inference throughput (images/s) and a per-op profile of one training step.")
        {
            device, batch, steps, width,
        };
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            if (parse.GetValue(steps) is < 1 and var bad)
            {
                throw new UserError($"--steps must be at least 1, but got {bad}.");
            }

            using var dev = ComputeDevice.Create(SharedOptions.DeviceKindOf(parse.GetValue(device)!));
            int n = parse.GetValue(steps) ?? (dev.IsCuda ? 50 : dev.IsOpenCL ? 20 : 5);
            var r = Throughput.Measure(dev, parse.GetValue(batch), n, parse.GetValue(width));
            Console.WriteLine(Format(r));
            return 0;
        }));
        return cmd;
    }

    public static string Format(ThroughputReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Create(inv, $"Device: {r.Device}; batch {r.BatchSize}; width {r.Width}; {r.Steps} timed steps"),
            string.Create(inv, $"Training:  {r.TrainImagesPerSecond,10:F1} images/s  ({r.MillisecondsPerStep:F2} ms/step; {r.SecondsPerRecipeEpoch:F1} s per 40,000-image epoch)"),
            string.Create(inv, $"Inference: {r.InferenceImagesPerSecond,10:F1} images/s"),
            string.Empty,
            "Per-op profile (synchronised around each op):",
            string.Create(inv, $"{"op",-16} {"type",-22} {"forward ms",11} {"backward ms",12} {"share",7}  plan: fwd / bwd-data / bwd-weights"),
        };
        double total = r.Ops.Sum(o => o.ForwardMs + o.BackwardMs);
        foreach (var o in r.Ops)
        {
            string kind = o.Kind.Length > 22 ? o.Kind[..22] : o.Kind;
            lines.Add(string.Create(inv, $"{o.Name,-16} {kind,-22} {o.ForwardMs,11:F3} {o.BackwardMs,12:F3} {(o.ForwardMs + o.BackwardMs) / total,7:P1}  {o.Bodies}"));
        }

        lines.Add(string.Create(inv, $"{"total",-16} {"",-22} {r.Ops.Sum(o => o.ForwardMs),11:F3} {r.Ops.Sum(o => o.BackwardMs),12:F3}"));
        return string.Join(Environment.NewLine, lines);
    }
}
