using IlgpuCnn.Data;
using IlgpuCnn.Models;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Training;

/// <summary>
/// The fit loop on the CPU accelerator with a tiny width and synthetic images: resuming from a
/// checkpoint (after an epoch, or mid-epoch after an interruption) continues exactly as an
/// uninterrupted run.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class TrainerTests(DeviceFixture fx, ITestOutputHelper output) : TempFolderTest
{
    private const double Width = 0.125;
    private readonly DeviceFixture _fx = fx;
    private readonly ITestOutputHelper _out = output;

    private static CifarDataset Synthetic(int rows, int seed)
    {
        var rng = new TestRandom(seed);
        var labels = rng.Ints(rows, CifarDataset.ClassCount);
        var images = rng.Floats((long)rows * CifarDataset.ImageFloats, 0f, 1f);
        for (int i = 0; i < rows; i++)
        {
            // A learnable signal: brighten one channel by class.
            int c = labels[i] % 3;
            for (int p = 0; p < 1024; p++)
            {
                images[i * CifarDataset.ImageFloats + c * 1024 + p] *= 0.5f + 0.05f * labels[i];
            }
        }

        return new CifarDataset(images, labels, "synthetic");
    }

    private static TrainingOptions Options(int epochs) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        Width = Width,
        Seed = 3,
    };

    [Fact]
    public void ResumingAfterAnEpochEqualsTrainingStraight()
    {
        var data = Synthetic(100, 1);
        float[] straight;
        List<double> straightLoss;
        using (var model = VggModel.Create(_fx.Device, Width, 3))
        using (var trainer = new Trainer(_fx.Device, model, Options(2), data))
        {
            var fit = trainer.Fit(cancel: TestContext.Current.CancellationToken);
            Assert.Equal(2, fit.EpochsRun);
            straight = model.Store.Download();
            straightLoss = fit.History["val_loss"].ToList();
        }

        string checkpoint = Path.Combine(Dir, "checkpoint.safetensors");
        using (var model = VggModel.Create(_fx.Device, Width, 3))
        using (var trainer = new Trainer(_fx.Device, model, Options(1), data))
        {
            trainer.Fit(cancel: TestContext.Current.CancellationToken);
            Checkpoint.SaveTraining(checkpoint, trainer);
        }

        using (var model = VggModel.Create(_fx.Device, Width, 99))
        using (var trainer = new Trainer(_fx.Device, model, Options(2), data))
        {
            ResumePoint.Read(checkpoint).Restore(trainer);
            Assert.Equal(1, trainer.EpochsCompleted);
            var fit = trainer.Fit(cancel: TestContext.Current.CancellationToken);
            Assert.Equal(2, fit.EpochsRun);
            Assertions.Close(straightLoss, fit.History["val_loss"].Select(v => (float)v).ToArray(), rtol: 1e-4, what: "val_loss history");
            Assertions.Close(straight, model.Store.Download(), rtol: 1e-4, atol: 1e-5, what: "weights after resume");
            Assert.Equal(2 * trainer.StepsPerEpoch, trainer.Optimizer.Iterations);
        }
    }

    [Fact]
    public void AnInterruptedEpochResumesWhereItStopped()
    {
        var data = Synthetic(100, 2);
        float[] straight;
        using (var model = VggModel.Create(_fx.Device, Width, 3))
        using (var trainer = new Trainer(_fx.Device, model, Options(1), data))
        {
            trainer.Fit(cancel: TestContext.Current.CancellationToken);
            straight = model.Store.Download();
        }

        string checkpoint = Path.Combine(Dir, "interrupted.safetensors");
        using (var model = VggModel.Create(_fx.Device, Width, 3))
        using (var trainer = new Trainer(_fx.Device, model, Options(1), data))
        {
            // Ctrl+C arrives while the first step runs: that step finishes, then the fit stops.
            using var cancelled = new CancellationTokenSource();
            var fit = trainer.Fit(new CancelOnEpochStart(cancelled), cancelled.Token);
            Assert.True(fit.Interrupted);
            Assert.Equal(0, fit.EpochsRun);
            Assert.Equal(1, trainer.BatchesDoneInEpoch);
            Checkpoint.SaveTraining(checkpoint, trainer);
        }

        using (var model = VggModel.Create(_fx.Device, Width, 3))
        using (var trainer = new Trainer(_fx.Device, model, Options(1), data))
        {
            ResumePoint.Read(checkpoint).Restore(trainer);
            var fit = trainer.Fit(cancel: TestContext.Current.CancellationToken);
            Assert.False(fit.Interrupted);
            Assert.Equal(1, fit.EpochsRun);
            Assertions.Close(straight, model.Store.Download(), rtol: 1e-4, atol: 1e-5, what: "weights after a mid-epoch resume");
        }
    }

    [Fact]
    public void ATrainingStepAllocatesNothingOnTheHostOnceWarm()
    {
        var data = Synthetic(64, 5);
        using var model = VggModel.Create(_fx.Device, Width, 3);
        using var trainer = new Trainer(_fx.Device, model, Options(1), data);
        trainer.TrainStep(0, 0); // first step: activations and kernels
        trainer.TrainStep(0, 1);
        _fx.Device.Synchronize();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int b = 0; b < 3; b++)
        {
            trainer.TrainStep(0, b);
        }

        _fx.Device.Synchronize();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 3;

        // What ILGPU itself allocates to launch one kernel on this accelerator (a conv: one of the
        // launches with the most arguments).
        var g = new IlgpuCnn.Kernels.ConvGeometry(2, 3, 8, 8, 4, 3, 3, 1, 1);
        using var px = IlgpuCnn.Tensors.Tensor.Allocate(_fx.Device, new IlgpuCnn.Tensors.Shape(2, 3, 8, 8), false);
        using var pw = IlgpuCnn.Tensors.Tensor.Allocate(_fx.Device, new IlgpuCnn.Tensors.Shape(4, 3, 3, 3), false);
        using var pb = IlgpuCnn.Tensors.Tensor.Allocate(_fx.Device, new IlgpuCnn.Tensors.Shape(4, 1, 1, 1), false);
        using var py = IlgpuCnn.Tensors.Tensor.Allocate(_fx.Device, new IlgpuCnn.Tensors.Shape(2, 4, 8, 8), false);
        var conv = IlgpuCnn.Kernels.Conv2dKernels.For(_fx.Device);
        conv.Forward(g, px.View, pw.View, default, pb.View, py.View);
        _fx.Device.Synchronize();
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            conv.Forward(g, px.View, pw.View, default, pb.View, py.View);
        }

        _fx.Device.Synchronize();
        long perLaunch = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
        _out.WriteLine($"host bytes per training step {perStep:N0}; per bare conv launch {perLaunch:N0}");

        // A step is about 90 launches; a budget of 150 launches' bookkeeping leaves no room for
        // per-step arrays or tensors of our own.
        Assert.True(perStep <= 150 * perLaunch, $"a training step allocated {perStep:N0} bytes on the host ({perLaunch:N0} per bare launch)");
    }

    [Fact]
    public void CancellationBeforeAnEpochStopsWithoutAStep()
    {
        var data = Synthetic(40, 4);
        using var model = VggModel.Create(_fx.Device, Width, 3);
        using var trainer = new Trainer(_fx.Device, model, Options(2), data);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var fit = trainer.Fit(cancel: cancelled.Token);
        Assert.True(fit.Interrupted);
        Assert.Equal(0, fit.EpochsRun);
        Assert.Equal(0, trainer.Optimizer.Iterations);
    }

    [Fact]
    public void ACheckpointOfAnotherWidthIsRefusedWithAClearSentence()
    {
        var data = Synthetic(40, 3);
        string checkpoint = Path.Combine(Dir, "w.safetensors");
        using (var model = VggModel.Create(_fx.Device, Width, 3))
        using (var trainer = new Trainer(_fx.Device, model, Options(1) with { BatchSize = 8 }, data))
        {
            Checkpoint.SaveTraining(checkpoint, trainer);
        }

        using var other = VggModel.Create(_fx.Device, 0.25, 3);
        using var t2 = new Trainer(_fx.Device, other, Options(1) with { Width = 0.25 }, data);
        var e = Assert.Throws<UserError>(() => ResumePoint.Read(checkpoint).Restore(t2));
        Assert.Contains("width 0.125", e.Message);

        var loaded = Checkpoint.LoadModel(checkpoint, _fx.Device);
        Assert.Equal(Width, loaded.Width);
        loaded.Dispose();

        File.WriteAllBytes(checkpoint, [1, 2, 3]);
        Assert.Throws<UserError>(() => Checkpoint.LoadModel(checkpoint, _fx.Device));
    }

    private sealed class CancelOnEpochStart(CancellationTokenSource source) : ITrainingReporter
    {
        public void EpochStarted(int epoch, int epochs, int steps) => source.Cancel();
    }
}
