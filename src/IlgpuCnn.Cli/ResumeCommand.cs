using System.Globalization;
using IlgpuCnn.Device;
using IlgpuCnn.Training;

namespace IlgpuCnn.Cli;

/// <summary>The command line that resumes an interrupted run: every option that differs from the recipe, the same --out, and --resume.</summary>
public static class ResumeCommand
{
    public static string Format(RunOptions run, string outDir, string checkpoint)
    {
        var o = run.Training;
        var recipe = new TrainingOptions();
        var parts = new List<string> { "ilgpucnn", "train", "--resume", Quote(checkpoint), "--out", Quote(outDir) };
        void Add(bool differs, string flag, string value)
        {
            if (differs)
            {
                parts.Add(flag);
                parts.Add(value);
            }
        }

        Add(run.DataDirectory is not null, "--data", Quote(run.DataDirectory ?? ""));
        Add(o.Device != DeviceKind.Auto, "--device", o.Device.ToString().ToLowerInvariant());
        Add(o.Epochs != recipe.Epochs, "--epochs", I(o.Epochs));
        Add(o.BatchSize != recipe.BatchSize, "--batch-size", I(o.BatchSize));
        Add(o.LearningRate != recipe.LearningRate, "--lr", D(o.LearningRate));
        Add(o.WeightDecay != recipe.WeightDecay, "--weight-decay", D(o.WeightDecay));
        Add(o.ValidationSplit != recipe.ValidationSplit, "--validation-split", D(o.ValidationSplit));
        Add(o.Seed != recipe.Seed, "--seed", o.Seed.ToString(CultureInfo.InvariantCulture));
        Add(o.Width != recipe.Width, "--width", D(o.Width));
        Add(o.TrainLimit is not null, "--train-limit", I(o.TrainLimit ?? 0));
        Add(o.TestLimit is not null, "--test-limit", I(o.TestLimit ?? 0));
        if (!o.Augment)
        {
            parts.Add("--no-augment");
        }

        return string.Join(' ', parts);
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string path) => path.Length > 0 && path.All(c => char.IsLetterOrDigit(c) || "/._-+:=@,".Contains(c)) ? path : $"'{path.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
