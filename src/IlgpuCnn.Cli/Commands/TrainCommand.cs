using System.CommandLine;
using System.Globalization;
using IlgpuCnn.Device;
using IlgpuCnn.Training;

namespace IlgpuCnn.Cli.Commands;

/// <summary><c>ilgpucnn train</c>: the recipe, every option a flag with the recipe's value as default.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Folder with the CIFAR-10 Parquet files (default: $ILGPUCNN_DATA, else the user cache, downloading there when missing)." };
        var output = new Option<string?>("--out") { Description = "Run folder for every output (default: runs/<UTC timestamp>)." };
        var device = new Option<string>("--device") { Description = "auto (CUDA when present, else CPU), cuda, or cpu.", DefaultValueFactory = _ => "auto" };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs (EarlyStopping may stop sooner).", DefaultValueFactory = _ => 100 };
        var batch = new Option<int>("--batch-size") { Description = "Images per training step.", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Initial AdamW learning rate (ReduceLROnPlateau halves it on plateaus).", DefaultValueFactory = _ => 1e-3 };
        var wd = new Option<double>("--weight-decay") { Description = "AdamW decoupled weight decay, applied to every trainable variable.", DefaultValueFactory = _ => 0.003 };
        var split = new Option<double>("--validation-split") { Description = "Fraction of the training rows held out for validation (the LAST rows, before shuffling).", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<uint>("--seed") { Description = "One seed for initialisation, shuffling, augmentation and dropout.", DefaultValueFactory = _ => 0u };
        var width = new Option<double>("--width") { Description = "Multiplies every filter/unit count (1.0 = the tutorial's 1,245,482 parameters; smaller for quick runs).", DefaultValueFactory = _ => 1.0 };
        var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N training rows (before the validation split), for quick runs." };
        var testLimit = new Option<int?>("--test-limit") { Description = "Use only the first N test rows, for quick runs." };
        var noAugment = new Option<bool>("--no-augment") { Description = "Train without random flip/rotation/zoom." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved in this checkpoint.safetensors (weights, optimizer, lr, callbacks, position)." };
        var cmd = new Command("train", "Train the VGG-style CNN on CIFAR-10 with the tutorial's recipe (AdamW, augmentation, EarlyStopping, ReduceLROnPlateau), then evaluate it on the test split.")
        {
            data, output, device, epochs, batch, lr, wd, split, seed, width, trainLimit, testLimit, noAugment, resume,
        };
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            var run = new RunOptions
            {
                DataDirectory = parse.GetValue(data),
                OutputDirectory = parse.GetValue(output),
                Resume = parse.GetValue(resume),
                Training = new TrainingOptions
                {
                    Device = ComputeDevice.ParseKind(parse.GetValue(device)!),
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(lr),
                    WeightDecay = parse.GetValue(wd),
                    ValidationSplit = parse.GetValue(split),
                    Seed = parse.GetValue(seed),
                    Width = parse.GetValue(width),
                    TrainLimit = parse.GetValue(trainLimit),
                    TestLimit = parse.GetValue(testLimit),
                    Augment = !parse.GetValue(noAugment),
                },
            };
            return Run(run);
        }));
        return cmd;
    }

    private static int Run(RunOptions run)
    {
        run.Training.Validate();
        using var reporter = new ConsoleReporter();
        using var signals = new SignalHandling(() => WhatAnInterruptionDoes(reporter.Phase));
        RunOutcome outcome;
        try
        {
            outcome = TrainingRun.Execute(run, reporter, signals.Token, DownloadProgress.Report);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine();
            reporter.Message("Stopped during the download; its partial file was removed, nothing else was written.");
            return signals.ExitCode;
        }

        string checkpoint = Path.Combine(outcome.Directory, RunFiles.Checkpoint);
        if (outcome.InterruptedIn == TrainingPhase.FinalEvaluation)
        {
            reporter.Message($"Stopped before the end of the test evaluation: the trained model is in {Path.Combine(outcome.Directory, RunFiles.Model)}; evaluate it with: ilgpucnn evaluate --model {Path.Combine(outcome.Directory, RunFiles.Model)} --out {outcome.Directory}" + (run.DataDirectory is null ? "" : $" --data {run.DataDirectory}") + (run.Training.TestLimit is int t ? $" --test-limit {t}" : "") + ".");
            return signals.ExitCode;
        }

        if (outcome.InterruptedIn is not null)
        {
            reporter.Message($"Stopped; the checkpoint is {checkpoint}. Resume with: {ResumeCommand.Format(run, outcome.Directory, checkpoint)}");
            return signals.ExitCode;
        }

        var test = outcome.Test!;
        Console.WriteLine();
        Console.WriteLine(File.ReadAllText(Path.Combine(outcome.Directory, RunFiles.Report)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy {test.Accuracy:F4}, test loss {test.Loss:F4} after {outcome.Fit.EpochsRun} epochs ({outcome.Fit.SecondsPerEpoch:F1} s/epoch). Outputs in {outcome.Directory}"));
        return 0;
    }

    /// <summary>What the first interruption does in each phase of a run (the signal handler prints it).</summary>
    public static string WhatAnInterruptionDoes(TrainingPhase phase) => phase switch
    {
        TrainingPhase.Download => "stopping the download and removing its partial file",
        TrainingPhase.Validation => "finishing this epoch's validation, then writing a checkpoint to resume from",
        TrainingPhase.FinalEvaluation => "stopping the test evaluation; the trained model is already saved, the test report will not be written",
        TrainingPhase.Preparing => "stopping before the first training step and writing a checkpoint to resume from",
        _ => "finishing the current step, then writing a checkpoint to resume from",
    };
}
