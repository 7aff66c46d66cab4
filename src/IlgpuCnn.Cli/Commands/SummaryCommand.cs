using System.CommandLine;
using IlgpuCnn.Models;
using IlgpuCnn.Training;

namespace IlgpuCnn.Cli.Commands;

/// <summary>
/// <c>ilgpucnn summary</c>: the Keras-style model summary, computed from the architecture alone
/// (no device, no parameters allocated), so every width the options allow prints at once.
/// </summary>
public static class SummaryCommand
{
    public static Command Create()
    {
        var width = new Option<double>("--width") { Description = "Multiplies every filter/unit count.", DefaultValueFactory = _ => 1.0 };
        var cmd = new Command("summary", "Print the model summary (layers, output shapes, parameter totals).") { width };
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            double w = parse.GetValue(width);
            TrainingOptions.RequireWidth(w);
            Console.Write(ModelSummary.Format(VggModel.NetworkName, VggModel.Layout(w), VggModel.InputShape(1)));
            return 0;
        }));
        return cmd;
    }
}
