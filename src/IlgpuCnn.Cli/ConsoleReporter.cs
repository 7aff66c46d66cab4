using System.Globalization;
using IlgpuCnn.Training;
using IlgpuCnn.Training.Callbacks;
using Spectre.Console;

namespace IlgpuCnn.Cli;

/// <summary>
/// Keras-style training output: "Epoch 3/100", a live progress bar redrawn in place while the
/// epoch runs (only on an interactive terminal), and one line per epoch:
/// <c>625/625 ━━━━━━━━━━━━━━━━━━━━ 36s 56ms/step - accuracy: 0.5458 - loss: 1.2652 - val_accuracy: ... - learning_rate: 0.0010</c>.
/// </summary>
public sealed class ConsoleReporter : ITrainingReporter
{
    private const int BarWidth = 20;
    private readonly IAnsiConsole _console;
    private readonly bool _live;

    public ConsoleReporter(IAnsiConsole? console = null)
    {
        _console = console ?? AnsiConsole.Console;
        _live = _console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
    }

    public void EpochStarted(int epoch, int epochs, int steps) => Console.WriteLine($"Epoch {epoch}/{epochs}");

    public void StepProgress(int step, int steps, TimeSpan elapsed, double accuracy, double loss)
    {
        if (!_live)
        {
            return;
        }

        double perStep = elapsed.TotalSeconds / Math.Max(1, step);
        int eta = (int)Math.Round(perStep * (steps - step));
        string line = $"{Count(step, steps)} {Bar(step, steps)} {eta}s {perStep * 1000:F0}ms/step - accuracy: {F4(accuracy)} - loss: {F4(loss)}";
        Console.Write("\r" + line.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 120, 160)));
    }

    public void EpochEnded(int epoch, int steps, int stepsTimed, EpochLogs logs, TimeSpan elapsed)
    {
        if (_live)
        {
            Console.Write("\r");
        }

        double perStep = elapsed.TotalMilliseconds / Math.Max(1, stepsTimed);
        string line = $"{Count(steps, steps)} {Bar(steps, steps)} {elapsed.TotalSeconds:F0}s {perStep:F0}ms/step"
            + $" - accuracy: {F4(logs[EpochLogs.Accuracy])} - loss: {F4(logs[EpochLogs.Loss])}"
            + $" - val_accuracy: {F4(logs[EpochLogs.ValAccuracy])} - val_loss: {F4(logs[EpochLogs.ValLoss])}"
            + $" - learning_rate: {LearningRate(logs[EpochLogs.LearningRate])}";
        Console.WriteLine(_live ? line.PadRight(150) : line);
    }

    public void Message(string text) => Console.WriteLine(text);

    private static string Count(int step, int steps) => $"{step.ToString(CultureInfo.InvariantCulture).PadLeft(steps.ToString(CultureInfo.InvariantCulture).Length)}/{steps}";

    private static string Bar(int step, int steps)
    {
        int done = (int)((long)BarWidth * step / Math.Max(1, steps));
        return new string('━', done) + new string('─', BarWidth - done);
    }

    private static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    private static string LearningRate(double lr) => lr >= 1e-4 ? lr.ToString("F4", CultureInfo.InvariantCulture) : lr.ToString("0.0000e+00", CultureInfo.InvariantCulture);
}
