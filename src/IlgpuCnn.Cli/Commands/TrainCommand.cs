using System.CommandLine;
using System.Globalization;
using IlgpuCnn.Device;
using IlgpuCnn.Diagnostics;
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
            var given = flags.Given(parse);
            var run = requested.Resume is { } checkpoint ? ResumePoint.Read(checkpoint).Apply(requested, given) : requested;
            try
            {
                return Run(run, flags.NoSelfTest(parse));
            }
            catch (OptionException e) when (requested.Resume is { } saved && !given.Contains(e.Option))
            {
                // A value the checkpoint brought, not a flag the user passed: name the file, not a flag.
                throw new UserError($"The options saved in '{saved}' do not fit this run ({e.Sentence.TrimEnd('.')}); the checkpoint is damaged or was written for other data, use another one.", e);
            }
        }));
        return cmd;
    }

    /// <summary>Runs; on CUDA the quick self-test (<see cref="SelfTest.Gate"/>) runs before the first epoch unless <paramref name="noSelfTest"/>.</summary>
    private static int Run(RunOptions run, bool noSelfTest)
    {
        run.Validate();
        using var reporter = new ConsoleReporter();
        using var signals = new SignalHandling(() => WhatAnInterruptionDoes(reporter.Phase));
        RunOutcome outcome;
        try
        {
            Action<ComputeDevice>? selfTest = noSelfTest ? null : d => SelfTest.Gate(d, reporter.Message);
            outcome = TrainingRun.Execute(run, reporter, signals.Token, DownloadProgress.Report, selfTest);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine();
            reporter.Message("Stopped during the download; its partial file was removed, nothing else was written.");
            return signals.ExitCode;
        }

        return outcome.InterruptedIn is null ? Report(outcome) : Stopped(run, outcome, reporter, signals.ExitCode);
    }

    /// <summary>What an interrupted run left and the command that carries on from it.</summary>
    private static int Stopped(RunOptions run, RunOutcome outcome, ConsoleReporter reporter, int exitCode)
    {
        string model = Path.Combine(outcome.Directory, RunFiles.Model);
        if (outcome.InterruptedIn == TrainingPhase.FinalEvaluation)
        {
            reporter.Message($"Stopped before the end of the test evaluation: the trained model is in {model}; evaluate it with: ilgpucnn evaluate --model {model} --out {outcome.Directory}" + (run.Data.Directory is null ? "" : $" --data {run.Data.Directory}") + (run.Data.TestLimit is int t ? $" --test-limit {t}" : "") + ".");
        }
        else
        {
            string checkpoint = Path.Combine(outcome.Directory, RunFiles.Checkpoint);
            reporter.Message($"Stopped; the checkpoint is {checkpoint}. Resume with: {ResumeCommand.Format(run, outcome.Directory, checkpoint)}");
        }

        return exitCode;
    }

    private static int Report(RunOutcome outcome)
    {
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
