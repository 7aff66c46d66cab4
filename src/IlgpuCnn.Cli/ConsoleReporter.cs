using System.Globalization;
using IlgpuCnn.Training;
using IlgpuCnn.Training.Callbacks;
using Spectre.Console;

namespace IlgpuCnn.Cli;

/// <summary>
/// Keras-style training output: "Epoch 3/100", a live Spectre.Console progress bar while the epoch
/// runs (only on an interactive terminal; it is drawn from a background thread and cleared when the
/// epoch ends), and one line per epoch:
/// <c>625/625 ━━━━━━━━━━━━━━━━━━━━ 36s 56ms/step - accuracy: 0.5458 - loss: 1.2652 - val_accuracy: ... - learning_rate: 0.0010</c>.
/// </summary>
public sealed class ConsoleReporter : ITrainingReporter, IDisposable
{
    private const int BarWidth = 20;
    private readonly bool _live;
    private readonly object _gate = new();
    private Thread? _drawer;
    private ManualResetEventSlim? _epochDone;
    private string _description = "";
    private double _value;
    private int _steps;

    public ConsoleReporter()
    {
        _live = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
    }

    public void EpochStarted(int epoch, int epochs, int steps)
    {
        Console.WriteLine($"Epoch {epoch}/{epochs}");
        if (!_live)
        {
            return;
        }

        _steps = steps;
        _value = 0;
        _description = $"0/{steps}";
        _epochDone = new ManualResetEventSlim(false);
        var done = _epochDone;
        _drawer = new Thread(() => AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new ProgressBarColumn { Width = 30 }, new TaskDescriptionColumn { Alignment = Justify.Left }, new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("epoch", maxValue: steps);
                while (!done.Wait(100))
                {
                    lock (_gate)
                    {
                        task.Value = _value;
                        task.Description = Markup.Escape(_description);
                    }
                }

                task.Value = steps;
            }))
        {
            IsBackground = true,
            Name = "progress bar",
        };
        _drawer.Start();
    }

    public void StepProgress(int step, int steps, TimeSpan elapsed, double accuracy, double loss)
    {
        if (!_live)
        {
            return;
        }

        double perStep = elapsed.TotalMilliseconds / Math.Max(1, step);
        lock (_gate)
        {
            _value = step;
            _description = $"{Count(step, steps)} {perStep:F0}ms/step - accuracy: {F4(accuracy)} - loss: {F4(loss)}";
        }
    }

    public void EpochEnded(int epoch, int steps, int stepsTimed, EpochLogs logs, TimeSpan elapsed)
    {
        StopBar();
        double perStep = elapsed.TotalMilliseconds / Math.Max(1, stepsTimed);
        Console.WriteLine($"{Count(steps, steps)} {new string('━', BarWidth)} {elapsed.TotalSeconds:F0}s {perStep:F0}ms/step"
            + $" - accuracy: {F4(logs[EpochLogs.Accuracy])} - loss: {F4(logs[EpochLogs.Loss])}"
            + $" - val_accuracy: {F4(logs[EpochLogs.ValAccuracy])} - val_loss: {F4(logs[EpochLogs.ValLoss])}"
            + $" - learning_rate: {LearningRate(logs[EpochLogs.LearningRate])}");
    }

    /// <summary>What the run is doing now (read by the signal handler to say what an interruption does).</summary>
    public TrainingPhase Phase { get; private set; } = TrainingPhase.Preparing;

    public void PhaseChanged(TrainingPhase phase) => Phase = phase;

    public void Message(string text)
    {
        StopBar();
        Console.WriteLine(text);
    }

    /// <summary>Stops the live bar (an interrupted or failed epoch).</summary>
    public void Dispose() => StopBar();

    private void StopBar()
    {
        if (_drawer is null)
        {
            return;
        }

        _epochDone!.Set();
        _drawer.Join();
        _drawer = null;
        _epochDone.Dispose();
        _epochDone = null;
    }

    private static string Count(int step, int steps) => $"{step.ToString(CultureInfo.InvariantCulture).PadLeft(steps.ToString(CultureInfo.InvariantCulture).Length)}/{steps}";

    private static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    private static string LearningRate(double lr) => lr >= 1e-4 ? lr.ToString("F4", CultureInfo.InvariantCulture) : lr.ToString("0.0000e+00", CultureInfo.InvariantCulture);
}
