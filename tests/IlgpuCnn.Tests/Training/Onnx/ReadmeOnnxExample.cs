// README:begin
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
// README:end
using IlgpuCnn.Cli.Commands;
using IlgpuCnn.Models;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;
using IlgpuCnn.Training.Onnx;

namespace IlgpuCnn.Tests.Training.Onnx;

/// <summary>
/// The README's "Use the model elsewhere" example is this file's marked code, word for word; run
/// on an exported model it gives the class and probability that <c>ilgpucnn predict</c> gives.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class ReadmeOnnxExample : IDisposable
{
    private readonly DeviceFixture _fx;
    private readonly string _dir = TestParquet.NewTempDirectory();

    public ReadmeOnnxExample(DeviceFixture fx) => _fx = fx;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // README:begin
    static (string Label, float Probability) Classify(string modelPath, string imagePath)
    {
        using var session = new InferenceSession(modelPath);
        string[] classes = session.ModelMetadata.CustomMetadataMap["class_names"].Split(',');

        // The model takes RGB bytes [N, 32, 32, 3] and scales and reorders them itself.
        using var image = Image.Load<Rgb24>(imagePath);
        image.Mutate(x => x.Resize(32, 32, KnownResamplers.Triangle));
        var pixels = new byte[32 * 32 * 3];
        image.CopyPixelDataTo(pixels);

        var input = new DenseTensor<byte>(pixels, [1, 32, 32, 3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("pixels", input)]);
        float[] probabilities = results[0].AsEnumerable<float>().ToArray();
        int best = Array.IndexOf(probabilities, probabilities.Max());
        return (classes[best], probabilities[best]);
    }
    // README:end

    [Fact]
    public void TheReadmeShowsThisCode()
    {
        string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "README.md")).ReplaceLineEndings("\n");
        string example = MarkedCode(File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Reference", "ReadmeOnnxExample.cs")));
        Assert.Contains("```csharp\n" + example + "\n```", readme);
    }

    [Fact]
    public void TheReadmeExampleClassifiesAsPredictDoes()
    {
        using var model = VggModel.Create(_fx.Device, 0.125, (uint)new TestRandom().Seed);
        string onnx = Path.Combine(_dir, "model.onnx");
        OnnxExport.Write(onnx, model, new OnnxModelFacts(null, null, null));
        string png = Path.Combine(_dir, "photo.png");
        File.WriteAllBytes(png, TestParquet.Png(50, 20, (x, y) => TestParquet.RandomPixel(5, x, y)));

        var (label, probability) = Classify(onnx, png);

        var expected = Evaluator.PredictProbabilities(model, PredictCommand.LoadImage(png), 1);
        int best = OnnxRuntimeCheck.ArgMax(expected);
        Assert.Equal(IlgpuCnn.Data.CifarDataset.ClassNames[best], label);
        Assert.Equal(expected[best], probability, 1e-5);
    }

    /// <summary>The lines between each "// README:begin" and "// README:end" (each region without its common indentation), regions separated by a blank line.</summary>
    private static string MarkedCode(string[] lines)
    {
        var regions = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in lines)
        {
            if (line.Trim() == "// README:begin")
            {
                current = [];
            }
            else if (line.Trim() == "// README:end")
            {
                regions.Add(current ?? throw new InvalidOperationException("README:end without README:begin"));
                current = null;
            }
            else
            {
                current?.Add(line);
            }
        }

        Assert.Equal(2, regions.Count);
        return string.Join("\n\n", regions.Select(region =>
        {
            int indent = region.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            return string.Join("\n", region.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
        }));
    }
}
