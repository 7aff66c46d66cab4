using System.Globalization;
using System.Text.RegularExpressions;

namespace IlgpuCnn.Data;

/// <summary>
/// The files of one split in the Hugging Face layout: <c>{split}-{i:D5}-of-{n:D5}.parquet</c>
/// for i = 0..n−1, read in that order (the hub's <c>uoft-cs/cifar10</c> has one shard per split,
/// <c>train-00000-of-00001.parquet</c>; <c>ilgpucnn data --export DIR --shard-mb N</c> writes several).
/// A set with a shard missing, one beyond its count, or shards that disagree on the count is a
/// <see cref="UserError"/> naming the folder and the files.
/// </summary>
public static partial class CifarShards
{
    /// <summary>The two splits, as the file names spell them.</summary>
    public const string Train = "train";
    public const string Test = "test";

    /// <summary>The file name of shard <paramref name="index"/> (0-based) of <paramref name="count"/>.</summary>
    public static string FileName(string split, int index, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{split}-{index:D5}-of-{count:D5}.parquet");

    /// <summary>True when the folder holds at least one shard of the split (complete or not).</summary>
    public static bool Exists(string directory, string split) => Scan(directory, split).Count > 0;

    /// <summary>Every shard of the split, in order; a UserError when there is none or the set is not whole.</summary>
    public static IReadOnlyList<string> Find(string directory, string split)
    {
        var shards = Scan(directory, split);
        if (shards.Count == 0)
        {
            throw new UserError($"The data folder {directory} has no {FileName(split, 0, 1)} (nor any other {split}-NNNNN-of-NNNNN.parquet shard); put the CIFAR-10 Parquet files there, or pass --data with the folder that holds them.");
        }

        var counts = shards.Select(s => s.Count).Distinct().Order().ToList();
        if (counts.Count > 1)
        {
            var named = string.Join(", ", counts.Select(c => $"{shards.Count(s => s.Count == c)} of '-of-{c:D5}'"));
            throw new UserError($"The {split} shards in {directory} disagree on how many there are ({named}): keep one complete set of {split}-NNNNN-of-NNNNN.parquet files there and delete the others.");
        }

        int count = counts[0];
        var beyond = shards.FirstOrDefault(s => s.Index >= count);
        if (beyond.Path is not null)
        {
            throw new UserError($"{beyond.Path} is shard {beyond.Index} of a set of {count} (shards are numbered from 0); delete it or re-export the {split} split.");
        }

        var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.Index)).ToList();
        if (missing.Count > 0)
        {
            throw new UserError($"The data folder {directory} has {shards.Count} of the {count} {split} shards, but not {string.Join(", ", missing.Take(3).Select(i => FileName(split, i, count)))}{(missing.Count > 3 ? $" and {missing.Count - 3} more" : "")}; copy the missing shard there (or export the split again).");
        }

        return shards.OrderBy(s => s.Index).Select(s => s.Path).ToList();
    }

    /// <summary>Every entry of the folder named like a shard of the split.</summary>
    private static List<(string Path, int Index, int Count)> Scan(string directory, string split)
    {
        var found = new List<(string, int, int)>();
        if (!Directory.Exists(directory))
        {
            return found;
        }

        // Folders too: a folder named like a shard is refused by the reader as "a folder, not a file", not reported missing.
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, $"{split}-*-of-*.parquet"))
        {
            var m = ShardName().Match(Path.GetFileName(path));
            if (m.Success && m.Groups[1].Value == split)
            {
                found.Add((path, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)));
            }
        }

        return found;
    }

    [GeneratedRegex(@"^([a-z]+)-(\d{5})-of-(\d{5})\.parquet$")]
    private static partial Regex ShardName();
}
