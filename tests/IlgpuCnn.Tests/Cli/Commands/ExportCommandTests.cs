using Google.Protobuf;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Tests.Training.Onnx;
using IlgpuCnn.Training;
using IlgpuCnn.Training.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>
/// <c>ilgpucnn export</c> through the real command line: a run's model.safetensors becomes a
/// model.onnx with the run's facts; a missing, foreign or non-finite model file, or an output
/// path that cannot be written, is one sentence, exit code 1, and no .onnx (partial or not) left
/// behind.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A run folder with a random width-0.125 model.safetensors, metrics.json and config.json; <paramref name="expected"/>: the model's probabilities for <paramref name="pixels"/> (none when null).</summary>
    private string RunFolderWithModel(out float[] expected, byte[]? pixels = null, int count = 0)
    {
        string run = Path.Combine(_dir, "run");
        Directory.CreateDirectory(run);
        using var device = ComputeDevice.Create(DeviceKind.Cpu);
        using var model = VggModel.Create(device, 0.125, (uint)new TestRandom().Seed);
        string path = Path.Combine(run, RunFiles.Model);
        Checkpoint.SaveModel(path, model);
        File.WriteAllText(Path.Combine(run, RunFiles.Metrics), """{ "test_accuracy": 0.4375, "test_rows": 16 }""");
        File.WriteAllText(Path.Combine(run, RunFiles.Config), """{ "environment": { "commit": "feedbeef" } }""");
        expected = pixels is null ? [] : Evaluator.PredictProbabilities(model, OnnxRuntimeCheck.ToImages(pixels, count), count);
        return path;
    }

    [Fact]
    public void ARunsModelBecomesModelOnnxBesideItWithTheRunsFacts()
    {
        const int count = 4;
        var pixels = new TestRandom().Ints(count * CifarDataset.ImageFloats, 256).Select(v => (byte)v).ToArray();
        string model = RunFolderWithModel(out var expected, pixels, count);

        var (code, output, error) = CliRunner.Run("export", "--model", model);
        Assert.True(code == 0, error);
        string onnx = Path.Combine(Path.GetDirectoryName(model)!, RunFiles.Onnx);
        Assert.Contains(onnx, output);
        Assert.Contains("43.75%", output);
        using (var session = new InferenceSession(onnx))
        {
            var meta = session.ModelMetadata.CustomMetadataMap;
            Assert.Equal("0.4375", meta[OnnxExport.TestAccuracyKey]);
            Assert.Equal("16", meta[OnnxExport.TestRowsKey]);
            Assert.Equal("feedbeef", meta[OnnxExport.CommitKey]);
            Assert.Equal("0.125", meta[OnnxExport.WidthKey]);
            OnnxRuntimeCheck.AssertSame(expected, OnnxRuntimeCheck.Run(session, pixels, count), count);
        }

        string elsewhere = Path.Combine(_dir, "deploy", "new-folder", "cifar.onnx");
        var second = CliRunner.Run("export", "--model", model, "--out", elsewhere);
        Assert.True(second.Code == 0, second.Err);
        Assert.Equal(File.ReadAllBytes(onnx), File.ReadAllBytes(elsewhere));
        Assert.Empty(AtomicFileTests.Leftovers(_dir));
    }

    public static TheoryData<string> ForeignModels => ["missing", "text", "png", "onnx", "other-architecture", "non-finite", "out-is-the-model"];

    [Theory]
    [MemberData(nameof(ForeignModels))]
    public void AMissingForeignOrUnusableModelIsOneSentenceAndChangesNoFile(string kind)
    {
        string path = Path.Combine(_dir, kind switch { "onnx" => "model-in.onnx", "png" => "photo.png", _ => "model.safetensors" });
        switch (kind)
        {
            case "text":
                File.WriteAllText(path, "these are not weights");
                break;
            case "png":
                File.WriteAllBytes(path, TestParquet.RandomPng(2));
                break;
            case "onnx":
                File.WriteAllBytes(path, new IlgpuCnn.Training.Onnx.Schema.ModelProto { IrVersion = 8, ProducerName = "someone else" }.ToByteArray());
                break;
            case "other-architecture":
                SafeTensors.Write(path, [NamedTensor.F32("conv.weight", [2, 2], [1f, 2f, 3f, 4f])], new Dictionary<string, string> { ["architecture"] = "resnet18" });
                break;
            case "non-finite":
            case "out-is-the-model":
                using (var device = ComputeDevice.Create(DeviceKind.Cpu))
                using (var model = VggModel.Create(device, 0.125, 1))
                {
                    if (kind == "non-finite")
                    {
                        var values = model.Store.Download();
                        values[new TestRandom().Next(0, values.Length)] = float.NaN;
                        model.Store.Upload(values);
                    }

                    Checkpoint.SaveModel(path, model);
                }

                break;
        }

        var before = Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        string outPath = kind == "out-is-the-model" ? path : Path.Combine(_dir, "out.onnx");
        var (code, _, error) = CliRunner.Run("export", "--model", path, "--out", outPath);
        Assert.Equal(1, code);
        Assert.Contains(path, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", error);
        var after = Directory.GetFiles(_dir, "*", SearchOption.AllDirectories);
        Assert.Equal(before.Keys.Order(), after.Order());
        Assert.All(after, f => Assert.Equal(before[f], File.ReadAllBytes(f)));
    }

    [Theory]
    [InlineData("under-a-file")]
    [InlineData("a-folder")]
    public void AnUnwritableOutputPathIsOneSentenceAndLeavesNoPartialFile(string kind)
    {
        string model = RunFolderWithModel(out _);
        string blocker = Path.Combine(_dir, "blocker");
        string outPath;
        if (kind == "under-a-file")
        {
            File.WriteAllText(blocker, "a file where a folder would be");
            outPath = Path.Combine(blocker, "model.onnx");
        }
        else
        {
            outPath = Path.Combine(_dir, "taken.onnx");
            Directory.CreateDirectory(outPath);
        }

        var (code, _, error) = CliRunner.Run("export", "--model", model, "--out", outPath);
        Assert.Equal(1, code);
        Assert.Contains(outPath, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", error);
        Assert.Empty(Directory.GetFiles(_dir, "*.onnx", SearchOption.AllDirectories));
        Assert.Empty(AtomicFileTests.Leftovers(_dir));
    }
}
