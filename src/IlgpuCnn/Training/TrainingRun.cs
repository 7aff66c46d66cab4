using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Models;
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
    /// <summary>Runs and returns the run folder; an interrupted run leaves a resumable checkpoint there.</summary>
    public static RunOutcome Execute(RunOptions run, ITrainingReporter reporter, CancellationToken cancel = default, Action<string, long, long?>? downloadProgress = null)
    {
        var options = run.Training;
        options.Validate();
        if (run.Resume is not null && !File.Exists(run.Resume))
        {
            throw new UserError($"Checkpoint '{run.Resume}' does not exist; pass the checkpoint.safetensors of an earlier run to --resume.");
        }

        var location = DataLocator.Resolve(run.DataDirectory);
        reporter.PhaseChanged(TrainingPhase.Download);
        CifarFiles.Ensure(location, downloadProgress, cancel: cancel);
        reporter.PhaseChanged(TrainingPhase.Preparing);
        var train = CifarParquetReader.Read(location.TrainFile, options.TrainLimit);
        var test = CifarParquetReader.Read(location.TestFile, options.TestLimit);
        if (train.Count < 2)
        {
            throw new UserError($"'{location.TrainFile}' has {train.Count} rows; training needs at least 2.");
        }

        string outDir = run.OutputDirectory ?? RunFiles.DefaultDirectory();
        Directory.CreateDirectory(outDir);
        using var device = ComputeDevice.Create(options.Device);
        reporter.Message($"Device: {device.Name}. Data: {location.Directory} ({train.Count:N0} training rows, {test.Count:N0} test rows). Run folder: {outDir}");
        using var model = VggModel.Create(device, options.Width, options.Seed);
        string checkpointPath = Path.Combine(outDir, RunFiles.Checkpoint);
        Trainer? trainerRef = null;
        using var trainer = new Trainer(device, model, options, train, [new CheckpointCallback(checkpointPath, () => trainerRef!)]);
        trainerRef = trainer;
        if (run.Resume is not null)
        {
            Checkpoint.LoadTraining(run.Resume, trainer);
            reporter.Message($"Resuming '{run.Resume}' after epoch {trainer.EpochsCompleted}" + (trainer.BatchesDoneInEpoch > 0 ? $" and {trainer.BatchesDoneInEpoch} steps of epoch {trainer.EpochsCompleted + 1}." : "."));
        }

        WriteConfig(Path.Combine(outDir, RunFiles.Config), run, device, location, train.Count, test.Count);
        using (var preview = AugmentationPreview.Render(device, train, AugmentationPreview.PickIndices(trainer.Split.TrainCount, options.Seed), options.Seed))
        {
            AugmentationPreview.Save(preview, Path.Combine(outDir, RunFiles.Augmentation));
        }

        FitResult fit;
        try
        {
            fit = trainer.Fit(reporter, cancel);
        }
        catch (TrainingDivergedException e)
        {
            throw new UserError(DivergedReport(e, outDir, trainer, model), e);
        }

        if (fit.Interrupted)
        {
            Checkpoint.SaveTraining(checkpointPath, trainer);
            return new RunOutcome(outDir, fit, null, TrainingPhase.Training);
        }

        Checkpoint.SaveModel(Path.Combine(outDir, RunFiles.Model), model);
        HistoryFiles.WriteCsv(Path.Combine(outDir, RunFiles.HistoryCsv), fit.History);
        HistoryFiles.WriteJson(Path.Combine(outDir, RunFiles.HistoryJson), fit.History);
        TrainingCurvesPlot.Save(Path.Combine(outDir, RunFiles.Curves), fit.History);
        reporter.PhaseChanged(TrainingPhase.FinalEvaluation);
        reporter.Message($"Evaluating on the test split ({test.Count:N0} images).");
        EvaluationResult evaluation;
        try
        {
            evaluation = WriteEvaluation(outDir, model, test, options.BatchSize, cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return new RunOutcome(outDir, fit, null, TrainingPhase.FinalEvaluation);
        }

        var metrics = new JsonObject
        {
            ["test_accuracy"] = evaluation.Accuracy,
            ["test_loss"] = evaluation.Loss,
            ["best_epoch"] = fit.BestEpoch,
            ["epochs_run"] = fit.EpochsRun,
            ["seconds_per_epoch"] = Math.Round(fit.SecondsPerEpoch, 3),
            ["device"] = device.Name,
            ["train_rows"] = trainer.Split.TrainCount,
            ["validation_rows"] = trainer.Split.ValidationCount,
            ["test_rows"] = test.Count,
        };
        AtomicFile.WriteText(Path.Combine(outDir, RunFiles.Metrics), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        OnnxExport.Write(Path.Combine(outDir, RunFiles.Onnx), model, new OnnxModelFacts(evaluation.Accuracy, test.Count, BuildInfo.Commit));
        return new RunOutcome(outDir, fit, evaluation, null);
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

    private static void WriteConfig(string path, RunOptions run, ComputeDevice device, DataLocation location, int trainRows, int testRows)
    {
        var o = run.Training;
        var config = new JsonObject
        {
            ["epochs"] = o.Epochs,
            ["batch_size"] = o.BatchSize,
            ["learning_rate"] = o.LearningRate,
            ["weight_decay"] = o.WeightDecay,
            ["validation_split"] = o.ValidationSplit,
            ["seed"] = o.Seed,
            ["width"] = o.Width,
            ["train_limit"] = o.TrainLimit,
            ["test_limit"] = o.TestLimit,
            ["augment"] = o.Augment,
            ["device"] = device.Name,
            ["device_option"] = o.Device.ToString().ToLowerInvariant(),
            ["data"] = location.Directory,
            ["train_rows"] = trainRows,
            ["test_rows"] = testRows,
            ["resume"] = run.Resume,
            ["optimizer"] = "AdamW(beta_1=0.9, beta_2=0.999, epsilon=1e-7)",
            ["callbacks"] = "EarlyStopping(val_loss, patience=10, restore_best_weights), ReduceLROnPlateau(val_loss, factor=0.5, patience=5, min_lr=1e-5, min_delta=1e-4)",
            ["commit"] = BuildInfo.Commit,
            ["started_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        AtomicFile.WriteText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}

/// <summary>
/// What a run produced. <paramref name="InterruptedIn"/>: null when it ran to the end, else the phase
/// a cancellation stopped (Training: a resumable checkpoint was written; FinalEvaluation: the model
/// is saved but the test report is not).
/// </summary>
public sealed record RunOutcome(string Directory, FitResult Fit, EvaluationResult? Test, TrainingPhase? InterruptedIn);
