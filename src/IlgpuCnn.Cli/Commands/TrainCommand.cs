using System.CommandLine;
using System.Globalization;
using IlgpuCnn.Training;

namespace IlgpuCnn.Cli.Commands;

/// <summary><c>ilgpucnn train</c>: the recipe, every option a flag whose default comes from the options records.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var flags = new TrainFlags();
        var cmd = new Command("train", "Train the VGG-style CNN on CIFAR-10 with the tutorial's recipe (AdamW, augmentation, EarlyStopping, ReduceLROnPlateau), then evaluate it on the test split.");
        flags.AddTo(cmd);
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            var requested = flags.Read(parse);
            var run = requested.Resume is { } checkpoint && File.Exists(checkpoint) && Checkpoint.ReadRunOptions(checkpoint) is { } saved
                ? flags.ForResume(parse, requested, saved)
                : requested;
            return Run(run);
        }));
        return cmd;
    }

    private static int Run(RunOptions run)
    {
        run.Validate();
        using var reporter = new ConsoleReporter();
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!cts.IsCancellationRequested)
            {
                e.Cancel = true;
                Console.Error.WriteLine();
                Console.Error.WriteLine("Interrupted: finishing the current step and writing a checkpoint (press Ctrl+C again to abort).");
                cts.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return Report(TrainingRun.Execute(run, reporter, cts.Token, DownloadProgress.Report), reporter);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int Report(RunOutcome outcome, ConsoleReporter reporter)
    {
        string checkpoint = Path.Combine(outcome.Directory, RunFiles.Checkpoint);
        if (outcome.Fit.Interrupted)
        {
            reporter.Message($"Stopped. Resume with: ilgpucnn train --resume {checkpoint}");
            return 130;
        }

        var test = outcome.Test!;
        Console.WriteLine();
        Console.WriteLine(File.ReadAllText(Path.Combine(outcome.Directory, RunFiles.Report)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy {test.Accuracy:F4}, test loss {test.Loss:F4} after {outcome.Fit.EpochsRun} epochs ({outcome.Fit.SecondsPerEpoch:F1} s/epoch). Outputs in {outcome.Directory}"));
        return 0;
    }
}
