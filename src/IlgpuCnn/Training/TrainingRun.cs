using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Models;
using IlgpuCnn.Training.Callbacks;
using IlgpuCnn.Training.Onnx;
using IlgpuCnn.Training.Reports;

namespace IlgpuCnn.Training;

/// <summary>
/// One whole training run, as <c>ilgpucnn train</c> does it: find (or download) and read the data,
/// open the device, build the model (or resume a checkpoint), write the augmentation preview,
/// fit with the recipe's callbacks (checkpointing every epoch), then evaluate on the test split
/// and write every file of the run folder (<see cref="RunFiles"/>; the model also as <c>model.onnx</c>).
/// </summary>
public static class TrainingRun
{
    /// <summary>
    /// Runs and returns the run folder; an interrupted run leaves a resumable checkpoint there. A
    /// resumed run's options go through <see cref="ResumePoint.Apply"/> (the fixed ones must be the
    /// checkpoint's).
    /// <paramref name="checkDevice"/> runs on the opened device before training (the CLI's
    /// self-test on CUDA) and throws to stop the run.
    /// </summary>
    public static RunOutcome Execute(RunOptions run, ITrainingReporter reporter, CancellationToken cancel = default, Action<string, long, long?>? downloadProgress = null, Action<ComputeDevice>? checkDevice = null)
    {
        var resume = run.Resume is null ? null : ResumePoint.Read(run.Resume);
        run = resume?.Apply(run) ?? run;
        run.Validate();
        var timeCap = run.MaxMinutes is double minutes ? new TimeCap(minutes, reporter.Message) : null;
        string outDir = run.OutputDirectory ?? RunFiles.DefaultDirectory();
        RunFolder.Check(outDir, run.Resume, run.Overwrite);
        var (location, train, test) = ReadData(run, reporter, downloadProgress, cancel);
        using var folderLock = RunFolder.Open(outDir, run.Resume, run.Overwrite);
        using var device = ComputeDevice.Create(run.Device);
        var o = run.Training;
        MemoryEstimate.Require(device, MemoryEstimate.TrainingBytes(o.Width, o.BatchSize, train.Count), $"Training at --width {o.Width.ToString(CultureInfo.InvariantCulture)} with --batch-size {o.BatchSize} on {train.Count:N0} rows", "lower --batch-size or --width (or --train-limit)");
        reporter.Message($"Device: {device.Name}. Data: {location.Directory} ({train.Count:N0} training rows, {test.Count:N0} test rows). Run folder: {outDir}");
        checkDevice?.Invoke(device);
        using var model = VggModel.Create(device, o.Width, o.Seed);
        string checkpointPath = Path.Combine(outDir, RunFiles.Checkpoint);
        using var trainer = new Trainer(device, model, o, train, ExtraCallbacks(checkpointPath, run, timeCap), run.Callbacks);
        Resume(resume, trainer, reporter);
        if (CpuTimeNote.For(device, o.Width, trainer.Split.TrainCount, trainer.Split.ValidationCount) is { } note)
        {
            reporter.Message(note);
        }

        var environment = new RunEnvironment(device.Name, location.Directory, train.Count, test.Count, BuildInfo.Commit, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        RunConfig.Write(Path.Combine(outDir, RunFiles.Config), run, environment);
        WritePreview(outDir, device, train, trainer);
        var fit = Fit(trainer, reporter, cancel, outDir);
        if (fit.Interrupted)
        {
            trainer.SaveCheckpoint(checkpointPath, run);
            return new RunOutcome(outDir, fit, null, TrainingPhase.Training);
        }

        return Finish(outDir, run, trainer, fit, test, reporter, timeCap, cancel);
    }

    /// <summary>The checkpoint writer, then the time cap (so the capped epoch's checkpoint resumes with the next epoch).</summary>
    private static List<ICallback> ExtraCallbacks(string checkpointPath, RunOptions run, TimeCap? timeCap) =>
        timeCap is null ? [new CheckpointCallback(checkpointPath, run)] : [new CheckpointCallback(checkpointPath, run), timeCap];

    private static void Resume(ResumePoint? resume, Trainer trainer, ITrainingReporter reporter)
    {
        if (resume is null)
        {
            return;
        }

        resume.Restore(trainer);
        string position = trainer.BatchesDoneInEpoch > 0 ? $" and {trainer.BatchesDoneInEpoch} steps of epoch {trainer.EpochsCompleted + 1}" : "";
        string rate = trainer.LearningRate != resume.State.LearningRate
            ? string.Create(CultureInfo.InvariantCulture, $", with the learning rate {trainer.LearningRate:G6} asked for instead of the checkpoint's {resume.State.LearningRate:G6}")
            : "";
        reporter.Message($"Resuming '{resume.Path}' after epoch {trainer.EpochsCompleted}{position}{rate}.");
    }

    /// <summary>The final evaluation and the run's result files, unless Ctrl+C stops them.</summary>
    private static RunOutcome Finish(string outDir, RunOptions run, Trainer trainer, FitResult fit, CifarDataset test, ITrainingReporter reporter, TimeCap? timeCap, CancellationToken cancel)
    {
        try
        {
            string stoppedBy = timeCap?.StoppedEpoch > 0 ? "max_minutes" : trainer.EarlyStopping.StoppedEpoch > 0 ? "early_stopping" : "epochs";
            return new RunOutcome(outDir, fit, WriteResults(outDir, trainer, fit, test, reporter, (stoppedBy, run.MaxMinutes), cancel), null);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return new RunOutcome(outDir, fit, null, TrainingPhase.FinalEvaluation);
        }
    }

    /// <summary>Finds (or downloads) the data and reads the rows the options ask for.</summary>
    private static (DataLocation Location, CifarDataset Train, CifarDataset Test) ReadData(RunOptions run, ITrainingReporter reporter, Action<string, long, long?>? downloadProgress, CancellationToken cancel)
    {
        var location = DataLocator.Resolve(run.Data.Directory);
        reporter.PhaseChanged(TrainingPhase.Download);
        CifarFiles.Ensure(location, downloadProgress, cancel: cancel);
        reporter.PhaseChanged(TrainingPhase.Preparing);
        var train = CifarParquetReader.ReadSplit(location.TrainFiles, run.Data.TrainLimit);
        var test = CifarParquetReader.ReadSplit(location.TestFiles, run.Data.TestLimit);
        if (train.Count < 2)
        {
            throw new UserError($"'{train.Source}' has {train.Count} rows; training needs at least 2.");
        }

        return (location, train, test);
    }

    private static void WritePreview(string outDir, ComputeDevice device, CifarDataset train, Trainer trainer)
    {
        uint seed = trainer.Options.Seed;
        using var preview = AugmentationPreview.Render(device, train, AugmentationPreview.PickIndices(trainer.Split.TrainCount, seed), seed);
        AugmentationPreview.Save(preview, Path.Combine(outDir, RunFiles.Augmentation));
    }

    /// <summary>Fits; a diverged run becomes one sentence saying what was kept.</summary>
    private static FitResult Fit(Trainer trainer, ITrainingReporter reporter, CancellationToken cancel, string outDir)
    {
        try
        {
            return trainer.Fit(reporter, cancel);
        }
        catch (TrainingDivergedException e)
        {
            throw new UserError(DivergedReport(e, outDir, trainer, trainer.Model), e);
        }
    }

    /// <summary>
    /// The model, history files, curves, then the test-set evaluation (which <paramref name="cancel"/>
    /// stops between batches), metrics (with what stopped the run: "epochs", "early_stopping" or
    /// "max_minutes") and model.onnx of a finished run.
    /// </summary>
    private static EvaluationResult WriteResults(string outDir, Trainer trainer, FitResult fit, CifarDataset test, ITrainingReporter reporter, (string By, double? MaxMinutes) stopped, CancellationToken cancel)
    {
        var model = trainer.Model;
        Checkpoint.SaveModel(Path.Combine(outDir, RunFiles.Model), model);
        HistoryFiles.WriteCsv(Path.Combine(outDir, RunFiles.HistoryCsv), fit.History);
        HistoryFiles.WriteJson(Path.Combine(outDir, RunFiles.HistoryJson), fit.History);
        TrainingCurvesPlot.Save(Path.Combine(outDir, RunFiles.Curves), fit.History);
        reporter.PhaseChanged(TrainingPhase.FinalEvaluation);
        reporter.Message($"Evaluating on the test split ({test.Count:N0} images).");
        var evaluation = WriteEvaluation(outDir, model, test, trainer.Options.BatchSize, cancel);
        var metrics = new JsonObject
        {
            ["test_accuracy"] = evaluation.Accuracy,
            ["test_loss"] = evaluation.Loss,
            ["best_epoch"] = fit.BestEpoch,
            ["epochs_run"] = fit.EpochsRun,
            ["seconds_per_epoch"] = Math.Round(fit.SecondsPerEpoch, 3),
            ["device"] = model.Device.Name,
            ["stopped_by"] = stopped.By,
            ["max_minutes"] = stopped.MaxMinutes,
            ["train_rows"] = trainer.Split.TrainCount,
            ["validation_rows"] = trainer.Split.ValidationCount,
            ["test_rows"] = test.Count,
        };
        AtomicFile.WriteText(Path.Combine(outDir, RunFiles.Metrics), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        OnnxExport.Write(Path.Combine(outDir, RunFiles.Onnx), model, new OnnxModelFacts(evaluation.Accuracy, test.Count, BuildInfo.Commit));
        return evaluation;
    }

    /// <summary>
    /// Evaluates on a labelled dataset and writes the classification report and the confusion-matrix
    /// PNG into <paramref name="outDir"/>; <paramref name="cancel"/> stops it between batches
    /// (<see cref="OperationCanceledException"/>, nothing written).
    /// </summary>
    public static EvaluationResult WriteEvaluation(string outDir, VggModel model, CifarDataset data, int batchSize, CancellationToken cancel = default)
    {
        var evaluation = Evaluator.Evaluate(model, data, batchSize, cancel);
        var names = CifarDataset.ClassNames.ToArray();
        AtomicFile.WriteText(Path.Combine(outDir, RunFiles.Report), ClassificationReport.Format(data.Labels, evaluation.Predictions, names));
        ConfusionMatrixPlot.Save(Path.Combine(outDir, RunFiles.ConfusionMatrix), ConfusionMatrix.From(data.Labels, evaluation.Predictions, names.Length), names);
        return evaluation;
    }

    /// <summary>
    /// The sentence for a diverged run; first keeps what is still good: the checkpoint of the last
    /// finished epoch stays as it was, and the best epoch's weights (EarlyStopping) go to model.safetensors.
    /// </summary>
    private static string DivergedReport(TrainingDivergedException e, string outDir, Trainer trainer, VggModel model)
    {
        string kept;
        if (trainer.EpochsCompleted == 0)
        {
            kept = "no epoch finished, so there is no checkpoint to keep";
        }
        else
        {
            kept = $"the checkpoint of the last good epoch ({trainer.EpochsCompleted}) is {Path.Combine(outDir, RunFiles.Checkpoint)}";
            if (trainer.EarlyStopping.BestWeights is { } best)
            {
                string bestPath = Path.Combine(outDir, RunFiles.Model);
                model.Store.Upload(best);
                Checkpoint.SaveModel(bestPath, model);
                kept += $" and the best epoch's ({trainer.EarlyStopping.BestEpoch + 1}) weights are in {bestPath}";
            }
        }

        return $"{e.Message.TrimEnd('.')}; {kept}.";
    }
}

/// <summary>
/// What a run produced. <paramref name="InterruptedIn"/>: null when it ran to the end, else the phase
/// a cancellation stopped (Training: a resumable checkpoint was written; FinalEvaluation: the model
/// is saved but the test report is not).
/// </summary>
public sealed record RunOutcome(string Directory, FitResult Fit, EvaluationResult? Test, TrainingPhase? InterruptedIn);
