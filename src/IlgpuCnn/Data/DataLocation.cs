namespace IlgpuCnn.Data;

/// <summary>A resolved data folder and the paths of the two CIFAR-10 Parquet files in it.</summary>
public sealed record DataLocation(string Directory, DataOrigin Origin)
{
    public string TrainFile => Path.Combine(Directory, DataLocator.TrainFileName);

    public string TestFile => Path.Combine(Directory, DataLocator.TestFileName);

    /// <summary>How the folder was chosen, for messages: "--data", "ILGPUCNN_DATA" or "user cache".</summary>
    public string OriginText => Origin switch
    {
        DataOrigin.Flag => "--data",
        DataOrigin.Environment => DataLocator.EnvironmentVariable,
        _ => "user cache",
    };
}
