namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// Stops training when the monitored metric has stopped improving, with Keras 3's semantics
/// (keras/src/callbacks/early_stopping.py): after each monitored epoch <c>wait</c> grows by one;
/// an improvement (<c>current - min_delta &lt; best</c> in min mode) records the best value and
/// epoch, captures the weights when restoring, and resets <c>wait</c> only if the value also beats
/// the baseline; otherwise training stops once <c>wait &gt;= patience</c> and epoch &gt; 0. With
/// restore_best_weights the first monitored epoch's weights are captured even without an
/// improvement, and the best weights are put back in <see cref="OnTrainEnd"/> whenever any were
/// captured (also when training ran out of epochs or another callback stopped it).
/// An epoch whose logs lack the monitored metric is ignored (Keras warns and skips it).
/// </summary>
public sealed class EarlyStopping : ICallback
{
    private readonly bool _minimise;
    private readonly double _minDelta;
    private double _best;
    private float[]? _bestWeights;

    public EarlyStopping(EarlyStoppingOptions? options = null)
    {
        Options = options ?? new EarlyStoppingOptions();
        ArgumentException.ThrowIfNullOrEmpty(Options.Monitor, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(Options.Patience, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(Options.StartFromEpoch, nameof(options));
        _minimise = MonitorModes.IsMin(Options.Mode, Options.Monitor);
        _minDelta = Math.Abs(Options.MinDelta);
        Reset();
    }

    public EarlyStoppingOptions Options { get; }

    /// <summary>Epochs since the last improvement (Keras' <c>wait</c>).</summary>
    public int Wait { get; private set; }

    /// <summary>0-based epoch after which this callback stopped training; 0 when it did not.</summary>
    public int StoppedEpoch { get; private set; }

    /// <summary>0-based epoch whose value (and weights, when restoring) is the best so far.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Best monitored value so far; null before any epoch was monitored.</summary>
    public double? BestValue => double.IsInfinity(_best) ? null : _best;

    /// <summary>The captured best weights (null unless restore_best_weights captured some); not a copy.</summary>
    public float[]? BestWeights => _bestWeights;

    public void OnTrainBegin(ITrainingControl control) => Reset();

    public void OnEpochEnd(int epoch, EpochLogs logs, ITrainingControl control)
    {
        if (!logs.TryGet(Options.Monitor, out var current) || epoch < Options.StartFromEpoch)
        {
            return;
        }

        bool improved = IsImprovement(current, _best);
        if (Options.RestoreBestWeights && _bestWeights is null && !improved)
        {
            // Keras: if best weights were never set, the current weights are the best.
            _bestWeights = control.CaptureWeights();
            BestEpoch = epoch;
        }

        Wait++;
        if (improved)
        {
            _best = current;
            BestEpoch = epoch;
            if (Options.RestoreBestWeights)
            {
                _bestWeights = control.CaptureWeights();
            }

            // Only restart the wait if we beat both the baseline and our previous best.
            if (Options.Baseline is not double baseline || IsImprovement(current, baseline))
            {
                Wait = 0;
            }

            return;
        }

        if (Wait >= Options.Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            control.StopTraining = true;
        }
    }

    public void OnTrainEnd(ITrainingControl control)
    {
        if (Options.RestoreBestWeights && _bestWeights is not null)
        {
            control.RestoreWeights(_bestWeights);
        }
    }

    /// <summary>The counters and best value, for a checkpoint; get the weights from <see cref="BestWeights"/>.</summary>
    public EarlyStoppingState GetState() => new(Wait, StoppedEpoch, BestEpoch, BestValue, _bestWeights is not null);

    /// <summary>
    /// Continues from a checkpointed state; call after <see cref="OnTrainBegin"/> when resuming.
    /// <paramref name="bestWeights"/> is required when the state says weights had been captured.
    /// </summary>
    public void SetState(EarlyStoppingState state, float[]? bestWeights = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.HasBestWeights && bestWeights is null)
        {
            throw new ArgumentException("the early-stopping state says best weights were captured, but none were given", nameof(bestWeights));
        }

        Wait = state.Wait;
        StoppedEpoch = state.StoppedEpoch;
        BestEpoch = state.BestEpoch;
        _best = state.Best ?? WorstValue;
        _bestWeights = state.HasBestWeights ? bestWeights : null;
    }

    private double WorstValue => _minimise ? double.PositiveInfinity : double.NegativeInfinity;

    private bool IsImprovement(double value, double reference) =>
        _minimise ? value + _minDelta < reference : value - _minDelta > reference;

    private void Reset()
    {
        Wait = 0;
        StoppedEpoch = 0;
        BestEpoch = 0;
        _best = WorstValue;
        _bestWeights = null;
    }
}
