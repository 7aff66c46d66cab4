using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using IlgpuCnn.Data;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Training;

/// <summary>
/// Crafted checkpoints are refused in one sentence before anything is used: training-state values
/// no run can write (negative counters, a negative learning rate) and tensors that are no part of
/// the model (checked from the header, before gigabytes of data are read).
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class CheckpointValidationTests : IDisposable
{
    private readonly DeviceFixture _fx;
    private readonly string _dir = TestParquet.NewTempDirectory();

    public CheckpointValidationTests(DeviceFixture fx) => _fx = fx;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TrainingOptions Options => new() { Epochs = 2, BatchSize = 8, Width = 0.125, Seed = 1 };

    private static CifarDataset Rows(int count)
    {
        var rng = new TestRandom(5);
        return new CifarDataset(rng.Floats((long)count * CifarDataset.ImageFloats, 0f, 1f), rng.Ints(count, CifarDataset.ClassCount), "synthetic");
    }

    [Theory]
    [InlineData("iterations", -5, "iterations = -5")]
    [InlineData("epochs_completed", -4, "epochs_completed = -4")]
    [InlineData("learning_rate", -1, "learning_rate = -1")]
    [InlineData("batches_done_in_epoch", 1000, "batches_done_in_epoch = 1000")]
    public void ImpossibleTrainingStateValuesAreRefused(string field, double value, string said)
    {
        var data = Rows(24);
        using var model = VggModel.Create(_fx.Device, Options.Width, Options.Seed);
        using var trainer = new Trainer(_fx.Device, model, Options, data);
        string path = Path.Combine(_dir, "checkpoint.safetensors");
        Checkpoint.SaveTraining(path, trainer);
        var content = SafeTensors.Read(path);
        var meta = content.Metadata.ToDictionary();
        var state = JsonNode.Parse(meta[Checkpoint.StateKey])!.AsObject();
        Assert.True(state.ContainsKey(field), $"the state has no '{field}'");
        state[field] = field == "learning_rate" ? JsonValue.Create(value) : JsonValue.Create((long)value);
        meta[Checkpoint.StateKey] = state.ToJsonString();
        SafeTensors.Write(path, content.Tensors, meta);

        var e = Assert.Throws<UserError>(() => ResumePoint.Read(path).Restore(trainer));
        Assert.Contains(said, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(0, trainer.EpochsCompleted);
    }

    [Fact]
    public void UnknownHugeTensorsAreRefusedFromTheHeaderWithoutReadingThem()
    {
        const long junk = 1L << 30; // two sparse 1 GiB tensors
        var header = new JsonObject
        {
            ["__metadata__"] = new JsonObject { [Checkpoint.ArchitectureKey] = VggModel.Architecture, [Checkpoint.WidthKey] = "0.125" },
            ["junk.a"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(junk / 4), ["data_offsets"] = new JsonArray(0, junk) },
            ["junk.b"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(junk / 4), ["data_offsets"] = new JsonArray(junk, 2 * junk) },
        };
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        string path = Path.Combine(_dir, "sparse.safetensors");
        using (var file = File.Create(path))
        {
            file.Write(BitConverter.GetBytes((ulong)json.Length));
            file.Write(json);
            file.SetLength(8 + json.Length + 2 * junk);
        }

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<UserError>(() => Checkpoint.LoadModel(path, _fx.Device));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed.TotalSeconds:F1} s");
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 200L << 20, $"allocated {allocated >> 20} MB before refusing");
        Assert.Contains("'junk.a' that is no part of this model", e.Message);
        Assert.Contains(path, e.Message);
    }
}
