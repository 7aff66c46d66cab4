using Google.Protobuf;
using IlgpuCnn.Data;
using IlgpuCnn.Models;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;
using IlgpuCnn.Training.Onnx;
using IlgpuCnn.Training.Onnx.Schema;
using Microsoft.ML.OnnxRuntime;

namespace IlgpuCnn.Tests.Training.Onnx;

/// <summary>
/// The exported ONNX model, run by ONNX Runtime on uint8 pixels, gives the probabilities of the
/// project's own inference (within 1e-5, same argmax for every image): a model trained for a few
/// steps on real CIFAR-10 rows, and a random width-1 model with random batch-norm statistics.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class OnnxExportTests(DeviceFixture fx, ITestOutputHelper output) : TempFolderTest
{
    private const int Images = 64;
    private readonly DeviceFixture _fx = fx;
    private readonly ITestOutputHelper _out = output;

    [Fact]
    public void AModelTrainedOnRealRowsRunsTheSameInOnnxRuntime()
    {
        RealData.SkipIfAbsent();

        var train = CifarParquetReader.Read(Path.Combine(RealData.Directory!, DataLocator.TrainFileName), 200);
        var test = CifarParquetReader.Read(Path.Combine(RealData.Directory!, DataLocator.TestFileName), Images);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32, Width = 0.125, Seed = 0 };
        using var model = VggModel.Create(_fx.Device, options.Width, options.Seed);
        using (var trainer = new Trainer(_fx.Device, model, options, train))
        {
            var fit = trainer.Fit(cancel: TestContext.Current.CancellationToken);
            _out.WriteLine($"trained {(trainer.Split.TrainCount + options.BatchSize - 1) / options.BatchSize} steps on real rows: val_loss {fit.History["val_loss"][0]:F4}");
        }

        var movingMean = model.Store.All.First(p => p.Name == "block1.bn1.moving_mean");
        Assert.Contains(model.Store.Download().AsSpan((int)(model.Store.TrainableCount + movingMean.Offset), movingMean.Count).ToArray(), v => v != 0f);

        string path = Path.Combine(Dir, "trained.onnx");
        OnnxExport.Write(path, model, new OnnxModelFacts(0.125, Images, "abc123"));
        var expected = Evaluator.PredictProbabilities(model, test.Images.AsSpan(0, Images * CifarDataset.ImageFloats).ToArray(), Images);
        using var session = new InferenceSession(path);
        var actual = OnnxRuntimeCheck.Run(session, OnnxRuntimeCheck.ToPixels(test.Images, Images), Images);
        double worst = OnnxRuntimeCheck.AssertSame(expected, actual, Images);
        _out.WriteLine($"width 0.125 trained: max |ONNX Runtime - IlgpuCnn| over {Images} real test images = {worst:E2}");

        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(string.Join(",", CifarDataset.ClassNames), meta[OnnxExport.ClassNamesKey]);
        Assert.Equal("0.125", meta[OnnxExport.TestAccuracyKey]);
        Assert.Equal("64", meta[OnnxExport.TestRowsKey]);
        Assert.Equal("0.125", meta[OnnxExport.WidthKey]);
        Assert.Equal("abc123", meta[OnnxExport.CommitKey]);
        Assert.Equal("ilgpucnn", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void ARandomWidthOneModelRunsTheSameInOnnxRuntimeAtAnyBatchSize()
    {
        var rng = new TestRandom();
        using var model = VggModel.Create(_fx.Device, 1.0, (uint)rng.Seed);
        RandomizeBatchNorm(model, rng);
        float[] images;
        if (RealData.Directory is not null)
        {
            images = CifarParquetReader.Read(Path.Combine(RealData.Directory!, DataLocator.TestFileName), Images).Images;
        }
        else
        {
            _out.WriteLine(RealData.AbsentReason + " (random pixels used instead)");
            images = rng.Ints(Images * CifarDataset.ImageFloats, 256).Select(b => b / 255f).ToArray();
        }

        var expected = Evaluator.PredictProbabilities(model, images, Images);
        var pixels = OnnxRuntimeCheck.ToPixels(images, Images);
        using var session = new InferenceSession(OnnxExport.Build(model, new OnnxModelFacts(null, null, null)).ToByteArray());
        double worst = OnnxRuntimeCheck.AssertSame(expected, OnnxRuntimeCheck.Run(session, pixels, Images), Images);
        _out.WriteLine($"width 1 random (seed {rng.Seed}): max |ONNX Runtime - IlgpuCnn| over {Images} images = {worst:E2}");

        // N is dynamic: 3 images alone give the same rows as within the batch of 64.
        var three = OnnxRuntimeCheck.Run(session, pixels.AsSpan(0, 3 * CifarDataset.ImageFloats).ToArray(), 3);
        OnnxRuntimeCheck.AssertSame(expected.AsSpan(0, 3 * CifarDataset.ClassCount).ToArray(), three, 3);

        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(OnnxExport.Unknown, meta[OnnxExport.TestAccuracyKey]);
        Assert.Equal("1", meta[OnnxExport.WidthKey]);
    }

    [Fact]
    public void TheGraphTakesUint8PixelsAndHasNoTrainingOnlyNodes()
    {
        using var model = VggModel.Create(_fx.Device, 0.125, 7);
        var proto = ModelProto.Parser.ParseFrom(OnnxExport.Build(model, new OnnxModelFacts(0.5, 10, "c0ffee")).ToByteArray());
        Assert.Equal(OnnxExport.IrVersion, proto.IrVersion);
        var opset = Assert.Single(proto.OpsetImport);
        Assert.Equal(("", OnnxExport.Opset), (opset.Domain, opset.Version));

        var input = Assert.Single(proto.Graph.Input);
        Assert.Equal("pixels", input.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Uint8, input.Type.TensorType.ElemType);
        Assert.Equal(["N", "32", "32", "3"], input.Type.TensorType.Shape.Dim.Select(d => d.DimParam is "" ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam));
        var output = Assert.Single(proto.Graph.Output);
        Assert.Equal("probabilities", output.Name);
        Assert.Equal(["N", "10"], output.Type.TensorType.Shape.Dim.Select(d => d.DimParam is "" ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam));

        var ops = proto.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(["Cast", "Div", "Transpose"], ops.Take(3));
        Assert.Equal("Softmax", ops[^1]);
        Assert.Equal(8, ops.Count(o => o == "Conv"));
        Assert.Equal(9, ops.Count(o => o == "BatchNormalization"));
        Assert.Equal(9, ops.Count(o => o == "Relu"));
        Assert.Equal(4, ops.Count(o => o == "MaxPool"));
        Assert.Equal(2, ops.Count(o => o == "Gemm"));
        Assert.DoesNotContain("Dropout", ops);

        // Every parameter is an initializer with the checkpoint's name, shape and values.
        var values = model.Store.Download();
        foreach (var p in model.Store.All)
        {
            var t = Assert.Single(proto.Graph.Initializer, i => i.Name == p.Name);
            Assert.Equal(p.Dims.Select(d => (long)d), t.Dims);
            long start = (p.Trainable ? 0 : model.Store.TrainableCount) + p.Offset;
            Assert.Equal(values.AsSpan((int)start, p.Count).ToArray(), t.FloatData.ToArray());
        }

        var meta = proto.MetadataProps.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("0.5", meta["test_accuracy"]);
        Assert.Equal("c0ffee", meta["commit"]);
        Assert.Equal("0.125", meta["width"]);
    }

    [Fact]
    public void RunFactsComeFromTheRunFolder()
    {
        string model = Path.Combine(Dir, RunFiles.Model);
        File.WriteAllText(Path.Combine(Dir, RunFiles.Metrics), """{ "test_accuracy": 0.8612, "test_rows": 10000 }""");
        File.WriteAllText(Path.Combine(Dir, RunFiles.Config), """{ "environment": { "commit": "0123abcd" } }""");
        Assert.Equal(new OnnxModelFacts(0.8612, 10000, "0123abcd"), OnnxExport.RunFacts(model));

        // A training checkpoint's weights are not the evaluated ones: no accuracy claimed for it.
        Assert.Equal(new OnnxModelFacts(null, null, "0123abcd"), OnnxExport.RunFacts(Path.Combine(Dir, RunFiles.Checkpoint)));

        File.WriteAllText(Path.Combine(Dir, RunFiles.Metrics), "{ not json");
        Assert.Equal(new OnnxModelFacts(null, null, "0123abcd"), OnnxExport.RunFacts(model));
        Assert.Equal(new OnnxModelFacts(null, null, null), OnnxExport.RunFacts(Path.Combine(Dir, "elsewhere", RunFiles.Model)));
    }

    /// <summary>γ, β, moving mean and variance drawn at random, so a mix-up of the four would show.</summary>
    private static void RandomizeBatchNorm(VggModel model, TestRandom rng)
    {
        var store = model.Store;
        var values = store.Download();
        foreach (var p in store.All)
        {
            (float lo, float hi) = p.Name switch
            {
                var n when n.EndsWith(".gamma", StringComparison.Ordinal) => (0.5f, 1.5f),
                var n when n.EndsWith(".beta", StringComparison.Ordinal) => (-0.3f, 0.3f),
                var n when n.EndsWith(".moving_mean", StringComparison.Ordinal) => (-0.3f, 0.3f),
                var n when n.EndsWith(".moving_variance", StringComparison.Ordinal) => (0.5f, 2f),
                _ => (0f, 0f),
            };
            if (hi > lo)
            {
                rng.Floats(p.Count, lo, hi).CopyTo(values, (p.Trainable ? 0 : store.TrainableCount) + p.Offset);
            }
        }

        store.Upload(values);
    }
}
