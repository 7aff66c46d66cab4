namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// Reduces the learning rate when the monitored metric stops improving, with Keras' semantics
/// (keras/src/callbacks/reduce_lr_on_plateau.py). At each epoch end: the rate in use is written to
/// the logs' <c>learning_rate</c> if absent; during cooldown the counter ticks down and <c>wait</c>
/// is 0; an improvement (<c>current &lt; best - min_delta</c> in min mode) records the best and
/// resets <c>wait</c>; otherwise, outside cooldown, <c>wait</c> grows and on reaching patience the
/// rate becomes <c>max(old × factor, min_lr)</c> if <c>old &gt; float32(min_lr)</c>, then the
/// cooldown starts and <c>wait</c> is 0. The new rate is rounded to float32, as Keras' optimizer
/// holds it in a float32 variable. An epoch whose logs lack the metric is ignored (Keras warns).
/// </summary>
public sealed class ReduceLROnPlateau : ICallback
{
    private readonly bool _minimise;
    private double _best;

    public ReduceLROnPlateau(ReduceLROnPlateauOptions? options = null)
    {
        Options = options ?? new ReduceLROnPlateauOptions();
        ArgumentException.ThrowIfNullOrEmpty(Options.Monitor, nameof(options));
        if (!(Options.Factor < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.Factor, "ReduceLROnPlateau does not support a factor >= 1.0");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(Options.Patience, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(Options.Cooldown, nameof(options));
        _minimise = MonitorModes.IsMin(Options.Mode, Options.Monitor);
        Reset();
    }

    public ReduceLROnPlateauOptions Options { get; }

    /// <summary>Epochs without improvement counted towards the next reduction.</summary>
    public int Wait { get; private set; }

    /// <summary>Cooldown epochs still to run after the last reduction.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>Best monitored value so far; null before any epoch was monitored.</summary>
    public double? BestValue => double.IsInfinity(_best) ? null : _best;

    public void OnTrainBegin(ITrainingControl control) => Reset();

    public void OnEpochEnd(int epoch, EpochLogs logs, ITrainingControl control)
    {
        if (!logs.Contains(EpochLogs.LearningRate))
        {
            logs.Set(EpochLogs.LearningRate, control.LearningRate);
        }

        if (!logs.TryGet(Options.Monitor, out var current))
        {
            return;
        }

        if (InCooldown)
        {
            CooldownCounter--;
            Wait = 0;
        }

        if (IsImprovement(current, _best))
        {
            _best = current;
            Wait = 0;
        }
        else if (!InCooldown)
        {
            Wait++;
            if (Wait >= Options.Patience)
            {
                double oldLr = control.LearningRate;
                if (oldLr > (float)Options.MinLearningRate)
                {
                    double newLr = Math.Max(oldLr * Options.Factor, Options.MinLearningRate);
                    control.LearningRate = (float)newLr;
                    CooldownCounter = Options.Cooldown;
                    Wait = 0;
                }
            }
        }
    }

    public ReduceLROnPlateauState GetState() => new(Wait, CooldownCounter, BestValue);

    /// <summary>Continues from a checkpointed state; call after <see cref="OnTrainBegin"/> when resuming.</summary>
    public void SetState(ReduceLROnPlateauState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Wait = state.Wait;
        CooldownCounter = state.CooldownCounter;
        _best = state.Best ?? WorstValue;
    }

    private bool InCooldown => CooldownCounter > 0;

    private double WorstValue => _minimise ? double.PositiveInfinity : double.NegativeInfinity;

    private bool IsImprovement(double value, double reference) =>
        _minimise ? value < reference - Options.MinDelta : value > reference + Options.MinDelta;

    private void Reset()
    {
        Wait = 0;
        CooldownCounter = 0;
        _best = WorstValue;
    }
}
