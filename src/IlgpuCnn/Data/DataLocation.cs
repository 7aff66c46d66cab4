namespace IlgpuCnn.Data;

/// <summary>A resolved data folder and the paths of the CIFAR-10 Parquet files in it.</summary>
public sealed record DataLocation(string Directory, DataOrigin Origin)
{
    /// <summary>The hub's single training file (what a download writes).</summary>
    public string TrainFile => Path.Combine(Directory, DataLocator.TrainFileName);

    /// <summary>The hub's single test file (what a download writes).</summary>
    public string TestFile => Path.Combine(Directory, DataLocator.TestFileName);

    /// <summary>Every shard of the training split, in order (<see cref="CifarShards.Find"/>).</summary>
    public IReadOnlyList<string> TrainFiles => CifarShards.Find(Directory, CifarShards.Train);

    /// <summary>Every shard of the test split, in order.</summary>
    public IReadOnlyList<string> TestFiles => CifarShards.Find(Directory, CifarShards.Test);

    /// <summary>How the folder was chosen, for messages: "--data", "ILGPUCNN_DATA" or "user cache".</summary>
    public string OriginText => Origin switch
    {
        DataOrigin.Flag => "--data",
        DataOrigin.Environment => DataLocator.EnvironmentVariable,
        _ => "user cache",
    };
}
