using System.Diagnostics;
using System.Globalization;

namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// <c>train --max-minutes M</c>: stops training after the epoch in which M minutes (counted from
/// the callback's creation, i.e. the start of the run) have run out. It must come after the
/// checkpoint writer in the callback list, so that epoch's checkpoint resumes with the next
/// epoch. EarlyStopping stopping the same epoch wins: the cap is named only when it alone stopped.
/// </summary>
public sealed class TimeCap : ICallback
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Action<string> _message;

    public TimeCap(double minutes, Action<string> message)
    {
        if (!(minutes > 0) || double.IsInfinity(minutes))
        {
            throw new UserError($"--max-minutes must be a positive number of minutes, but got {minutes.ToString(CultureInfo.InvariantCulture)}.");
        }

        Minutes = minutes;
        _message = message;
    }

    public double Minutes { get; }

    /// <summary>The 1-based epoch after which the cap stopped training (0: it did not).</summary>
    public int StoppedEpoch { get; private set; }

    public void OnEpochEnd(int epoch, EpochLogs logs, ITrainingControl control)
    {
        double elapsed = _clock.Elapsed.TotalMinutes;
        if (control.StopTraining || elapsed < Minutes)
        {
            return;
        }

        control.StopTraining = true;
        StoppedEpoch = epoch + 1;
        _message(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: stopped by --max-minutes {Minutes:G} ({elapsed:F2} min elapsed); the checkpoint of this epoch resumes with epoch {epoch + 2}."));
    }
}
