namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// Records every epoch's logs like Keras' <c>History</c> (<c>history.history</c>): one list per
/// metric name (<see cref="Names"/>, in first-seen order), one entry per epoch that reported it.
/// A resumed run starts from the previous run's lists (<see cref="Restore"/>).
/// </summary>
public sealed class History : ICallback
{
    private readonly List<string> _names = [];
    private readonly Dictionary<string, List<double>> _values = [];

    /// <summary>Replaces everything recorded with earlier epochs (a resumed run's).</summary>
    public void Restore(IEnumerable<KeyValuePair<string, IReadOnlyList<double>>> previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        _names.Clear();
        _values.Clear();
        foreach (var (name, values) in previous)
        {
            _names.Add(name);
            _values[name] = [.. values];
        }
    }

    /// <summary>Metric names in first-seen order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>One metric's values, or an empty list if it was never reported.</summary>
    public IReadOnlyList<double> this[string name] => _values.TryGetValue(name, out var v) ? v : [];

    public void OnEpochEnd(int epoch, EpochLogs logs, ITrainingControl control) => Record(logs);

    /// <summary>Appends one epoch's logs.</summary>
    public void Record(EpochLogs logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        foreach (var name in logs.Names)
        {
            if (!_values.TryGetValue(name, out var list))
            {
                list = [];
                _values[name] = list;
                _names.Add(name);
            }

            list.Add(logs[name]);
        }
    }
}
