using System.CommandLine;
using IlgpuCnn.Device;
using IlgpuCnn.Models;

namespace IlgpuCnn.Cli.Commands;

/// <summary><c>ilgpucnn summary</c>: the Keras-style model summary.</summary>
public static class SummaryCommand
{
    public static Command Create()
    {
        var width = new Option<double>("--width") { Description = "Multiplies every filter/unit count.", DefaultValueFactory = _ => 1.0 };
        var cmd = new Command("summary", "Print the model summary (layers, output shapes, parameter totals).") { width };
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            double w = parse.GetValue(width);
            if (!(w > 0 && w <= 16))
            {
                throw new UserError($"--width must be in (0, 16], but got {w}.");
            }

            using var device = ComputeDevice.Create(DeviceKind.Cpu);
            MemoryEstimate.Require(device, MemoryEstimate.ModelBytes(w), $"The model at --width {w.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "lower --width");
            using var model = VggModel.Create(device, w);
            Console.Write(ModelSummary.Format(model.Network, VggModel.InputShape(1), model.Store));
            return 0;
        }));
        return cmd;
    }
}
