using System.CommandLine;
using IlgpuCnn.Data;
using IlgpuCnn.Device;

namespace IlgpuCnn.Cli.Commands;

/// <summary>
/// <c>ilgpucnn preview [--data DIR] [--out FILE] [--seed 0]</c>: a 5×5 grid PNG of training
/// images (25 picked by the seed from the first 1,000 rows) after the recipe's augmentation
/// (epoch 0, step 0 of that seed), with class names. The kernel runs on the ILGPU CPU
/// accelerator: 25 images take milliseconds, and the counter-based RNG gives the same picture
/// as a GPU would.
/// </summary>
public static class PreviewCommand
{
    /// <summary>Rows read from the start of the training file to pick the 25 images from.</summary>
    public const int PoolRows = 1_000;

    public static Command Create()
    {
        var data = SharedOptions.Data();
        var output = new Option<string>("--out")
        {
            Description = "PNG file to write.",
            DefaultValueFactory = _ => "augmentation.png",
        };
        var seed = new Option<uint>("--seed")
        {
            Description = "Seed that picks the images and drives the augmentation.",
            DefaultValueFactory = _ => 0u,
        };
        var command = new Command("preview", "Write a 5×5 grid PNG of augmented training images with their class names.");
        command.Options.Add(data);
        command.Options.Add(output);
        command.Options.Add(seed);
        command.SetAction(parse => Cli.Guard(parse, () => Run(parse.GetValue(data), parse.GetValue(output)!, parse.GetValue(seed))));
        return command;
    }

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string? dataOption, string outputPath, uint seed)
    {
        OutputPath.RequireWritable(outputPath);
        var location = SharedOptions.Locate(dataOption);
        OutputPath.RequireNotInput(outputPath, [.. location.TrainFiles]);
        var pool = CifarParquetReader.ReadSplit(location.TrainFiles, PoolRows);
        var indices = AugmentationPreview.PickIndices(pool.Count, seed);
        using var device = ComputeDevice.Create(DeviceKind.Cpu);
        using var image = AugmentationPreview.Render(device, pool, indices, seed);
        AugmentationPreview.Save(image, outputPath);
        Console.Out.WriteLine($"wrote {Path.GetFullPath(outputPath)}: {indices.Length} augmented training images (seed {seed}), {image.Width}×{image.Height}");
        return 0;
    }
}
