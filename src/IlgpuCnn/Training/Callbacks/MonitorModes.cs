namespace IlgpuCnn.Training.Callbacks;

/// <summary>Resolves <see cref="MonitorMode.Auto"/> for a metric name.</summary>
internal static class MonitorModes
{
    /// <summary>True when the metric improves by going down.</summary>
    public static bool IsMin(MonitorMode mode, string monitor) => mode switch
    {
        MonitorMode.Min => true,
        MonitorMode.Max => false,
        _ => !monitor.Contains("acc", StringComparison.Ordinal),
    };
}
