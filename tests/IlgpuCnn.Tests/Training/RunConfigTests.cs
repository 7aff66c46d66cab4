using IlgpuCnn.Device;
using IlgpuCnn.Training;
using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Tests.Training;

/// <summary>config.json and a checkpoint's options: snake_case JSON that reads back into equal records; validation names no flags.</summary>
public sealed class RunConfigTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ilgpucnn-config-" + Guid.NewGuid().ToString("N"));

    public RunConfigTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunOptions NonDefault() => new()
    {
        Training = new TrainingOptions
        {
            Epochs = 7,
            BatchSize = 24,
            ValidationSplit = 0.3,
            Seed = 42,
            Width = 0.25,
            Augment = false,
            Optimizer = new AdamWOptions { LearningRate = 2e-3, WeightDecay = 0.01, Beta2 = 0.99 },
        },
        Callbacks = new CallbackOptions
        {
            EarlyStopping = EarlyStoppingOptions.Recipe with { Patience = 3, Baseline = 1.5 },
            ReduceLr = ReduceLROnPlateauOptions.Recipe with { Mode = MonitorMode.Min, Cooldown = 2 },
        },
        Data = new DataOptions { Directory = "/data/cifar", TrainLimit = 500, TestLimit = 100 },
        Device = DeviceKind.Cpu,
        OutputDirectory = "runs/x",
        Resume = "runs/y/checkpoint.safetensors",
    };

    [Fact]
    public void ConfigJsonRoundTripsIntoTheOptionsRecords()
    {
        var run = NonDefault();
        string path = Path.Combine(_dir, "config.json");
        RunConfig.Write(path, run, new RunEnvironment("ILGPU CPU accelerator", "/data/cifar", 500, 100, "abc1234", "2026-11-30T05:00:00Z"));
        Assert.Equal(run, RunConfig.Read(path));
        Assert.Equal(new RunOptions(), RunConfig.Deserialize(RunConfig.Serialize(new RunOptions()), "defaults"));

        string json = File.ReadAllText(path);
        foreach (var key in new[] { "\"batch_size\": 24", "\"learning_rate\": 0.002", "\"early_stopping\"", "\"restore_best_weights\": true", "\"mode\": \"min\"", "\"train_limit\": 500", "\"device\": \"cpu\"", "\"environment\"" })
        {
            Assert.Contains(key, json);
        }
    }

    [Fact]
    public void DamagedOptionsAreNamed()
    {
        var e = Assert.Throws<UserError>(() => RunConfig.Deserialize("{ \"training\": 3 }", "x/config.json"));
        Assert.Contains("x/config.json", e.Message);
    }

    [Theory]
    [InlineData(nameof(TrainingOptions.BatchSize))]
    [InlineData(nameof(TrainingOptions.ValidationSplit))]
    [InlineData(nameof(AdamWOptions.LearningRate))]
    [InlineData(nameof(DataOptions.TrainLimit))]
    public void ValidationNamesThePropertyAndNoFlag(string property)
    {
        var run = property switch
        {
            nameof(TrainingOptions.BatchSize) => new RunOptions { Training = new TrainingOptions { BatchSize = 0 } },
            nameof(TrainingOptions.ValidationSplit) => new RunOptions { Training = new TrainingOptions { ValidationSplit = 0 } },
            nameof(AdamWOptions.LearningRate) => new RunOptions { Training = new TrainingOptions { Optimizer = new AdamWOptions { LearningRate = -1 } } },
            _ => new RunOptions { Data = new DataOptions { TrainLimit = 1 } },
        };
        var e = Assert.Throws<OptionException>(run.Validate);
        Assert.Equal(property, e.Option);
        Assert.DoesNotContain("--", e.Sentence);
        Assert.EndsWith(".", e.Sentence);
    }
}
