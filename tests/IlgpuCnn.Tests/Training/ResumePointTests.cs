using IlgpuCnn.Data;
using IlgpuCnn.Models;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Training;

/// <summary>
/// The resume rule lives in the library: a library caller that resumes with another seed, width,
/// batch size, split or limit is refused by <see cref="ResumePoint"/> (no CLI involved), and a
/// changed initial learning rate takes effect in the trainer, set once.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class ResumePointTests(DeviceFixture fx) : TempFolderTest
{
    private const double Width = 0.125;

    private static RunOptions Run => new()
    {
        Training = new TrainingOptions { Epochs = 1, BatchSize = 8, Width = Width, Seed = 4 },
        Data = new DataOptions { TrainLimit = 40, TestLimit = 8 },
    };

    private static CifarDataset Rows(int n)
    {
        var rng = new TestRandom(5);
        return new CifarDataset(rng.Floats((long)n * CifarDataset.ImageFloats, 0f, 1f), rng.Ints(n, CifarDataset.ClassCount), "rows");
    }

    /// <summary>A checkpoint after one epoch of <see cref="Run"/>, its learning rate lowered to 2e-4 as ReduceLROnPlateau would.</summary>
    private string Checkpoint()
    {
        string path = Path.Combine(Dir, "checkpoint.safetensors");
        using var model = VggModel.Create(fx.Device, Width, 4);
        using var trainer = new Trainer(fx.Device, model, Run.Training, Rows(40));
        trainer.Fit(cancel: TestContext.Current.CancellationToken);
        trainer.LearningRate = 2e-4;
        trainer.SaveCheckpoint(path, Run);
        return path;
    }

    public static TheoryData<string, Func<RunOptions, RunOptions>> Conflicts() => new()
    {
        { nameof(TrainingOptions.Seed), r => r with { Training = r.Training with { Seed = 9 } } },
        { nameof(TrainingOptions.Width), r => r with { Training = r.Training with { Width = 0.25 } } },
        { nameof(TrainingOptions.BatchSize), r => r with { Training = r.Training with { BatchSize = 16 } } },
        { nameof(TrainingOptions.ValidationSplit), r => r with { Training = r.Training with { ValidationSplit = 0.5 } } },
        { nameof(DataOptions.TrainLimit), r => r with { Data = r.Data with { TrainLimit = 30 } } },
        { nameof(DataOptions.TestLimit), r => r with { Data = r.Data with { TestLimit = null } } },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void AConflictingFixedOptionIsRefusedByTheLibrary(string option, Func<RunOptions, RunOptions> change)
    {
        var point = ResumePoint.Read(Checkpoint());
        var e = Assert.Throws<OptionException>(() => point.Apply(change(Run) with { Resume = point.Path }));
        Assert.Equal(option, e.Option);
        Assert.Contains("conflicts with the checkpoint's", e.Sentence);
        Assert.DoesNotContain("--", e.Sentence, StringComparison.Ordinal);

        // TrainingRun (the whole run, as a library caller starts it) applies the same rule before any work.
        Assert.Throws<OptionException>(() => TrainingRun.Execute(change(Run) with { Resume = point.Path, OutputDirectory = Path.Combine(Dir, "out") }, SilentReporter.Instance, TestContext.Current.CancellationToken));
        Assert.False(Directory.Exists(Path.Combine(Dir, "out")));
    }

    [Fact]
    public void OptionsNotGivenAreTheCheckpointsAndChangeableOnesAreTaken()
    {
        var point = ResumePoint.Read(Checkpoint());
        var requested = new RunOptions { Training = new TrainingOptions { Epochs = 3, Seed = 99, Optimizer = new AdamWOptions { WeightDecay = 0.01 } } };
        var run = point.Apply(requested, new HashSet<string> { nameof(TrainingOptions.Epochs), nameof(AdamWOptions.WeightDecay) });
        Assert.Equal((4u, Width, 8, 40, 8), (run.Training.Seed, run.Training.Width, run.Training.BatchSize, run.Data.TrainLimit, run.Data.TestLimit));
        Assert.Equal((3, 0.01, 1e-3), (run.Training.Epochs, run.Training.Optimizer.WeightDecay, run.Training.Optimizer.LearningRate));
    }

    [Theory]
    [InlineData(null, 2e-4)] // the same initial rate: the checkpoint's current (reduced) rate goes on
    [InlineData(5e-5, 5e-5)] // another initial rate: it replaces the checkpoint's, in the trainer and its next epoch line
    public void TheLearningRateIsRestoredOnceAndAChangedOneTakesEffect(double? lr, double expected)
    {
        var point = ResumePoint.Read(Checkpoint());
        var requested = lr is double r ? Run with { Training = Run.Training with { Epochs = 2, Optimizer = new AdamWOptions { LearningRate = r } } } : Run with { Training = Run.Training with { Epochs = 2 } };
        var run = point.Apply(requested);
        using var model = VggModel.Create(fx.Device, Width, 4);
        using var trainer = new Trainer(fx.Device, model, run.Training, Rows(40));
        point.Restore(trainer);
        Assert.Equal(expected, trainer.LearningRate);
        var fit = trainer.Fit(cancel: TestContext.Current.CancellationToken);
        Assert.Equal(expected, fit.History["learning_rate"][^1], 1e-12);
        Assert.Equal(expected, point.LearningRateFor(run.Training));
    }
}
