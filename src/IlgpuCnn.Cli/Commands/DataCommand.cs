using System.CommandLine;
using System.Diagnostics;
using IlgpuCnn.Data;
using IlgpuCnn.Training;

namespace IlgpuCnn.Cli.Commands;

/// <summary>
/// <c>ilgpucnn data [--data DIR]</c>: finds or downloads CIFAR-10, reads and verifies every row
/// (50,000 + 10,000 rows, 32×32 RGB PNGs, labels 0..9) and describes it: where, rows,
/// per-class counts, and the recipe's validation split.
/// </summary>
public static class DataCommand
{
    public const int TrainRows = 50_000;
    public const int TestRows = 10_000;

    public static Command Create()
    {
        var data = SharedOptions.Data();
        var export = new Option<string?>("--export") { Description = "Also copy the rows of each split (PNG bytes and labels as stored) as Parquet files in the same layout into this folder, verified row by row against the source, e.g. to carry the data to another machine." };
        var trainLimit = new Option<int?>("--train-limit") { Description = "With --export: training rows to write (default: all)." };
        var testLimit = new Option<int?>("--test-limit") { Description = "With --export: test rows to write (default: all)." };
        var shardMb = new Option<double?>("--shard-mb") { Description = "With --export: write each split as Hugging Face shards (train-00000-of-0000N.parquet ...) of at most this many MiB each (default: one file per split)." };
        var command = new Command("data", "Find or download CIFAR-10, verify it, and describe it (rows, per-class counts, where it is).");
        command.Options.Add(data);
        command.Options.Add(export);
        command.Options.Add(trainLimit);
        command.Options.Add(testLimit);
        command.Options.Add(shardMb);
        command.SetAction(parse => Cli.Guard(parse, () =>
        {
            string? target = parse.GetValue(export);
            var (trainRows, testRows, mb) = (parse.GetValue(trainLimit), parse.GetValue(testLimit), parse.GetValue(shardMb));
            if (target is null && (trainRows is not null || testRows is not null || mb is not null))
            {
                throw new UserError("--train-limit, --test-limit and --shard-mb only apply to an export; add --export DIR.");
            }

            if (target is not null)
            {
                CheckExport(DataLocator.Resolve(parse.GetValue(data)), target, trainRows, testRows, mb);
            }

            var (location, train, test) = Describe(parse.GetValue(data), Console.Out);
            return target is null ? 0 : Export(location, train, test, target, (trainRows, testRows), mb, Console.Out);
        }));
        return command;
    }

    /// <summary>Every check of an export's flags, before the data is read and verified.</summary>
    public static void CheckExport(DataLocation location, string target, int? trainLimit, int? testLimit, double? shardMb)
    {
        if (trainLimit is < 1 || testLimit is < 1)
        {
            throw new UserError($"--train-limit and --test-limit must be at least 1, but got {trainLimit} and {testLimit}.");
        }

        if (string.IsNullOrWhiteSpace(target))
        {
            throw new UserError("--export is empty; pass the folder to write the Parquet files into.");
        }

        var kind = PathKind.Of(target);
        if (kind is not (FileKind.Missing or FileKind.Directory))
        {
            throw new UserError($"--export {target} is {PathKind.Describe(kind)}, not a folder; pass a folder to write the Parquet files into.");
        }

        OutputPath.RequireFolderFor(target, $"--export {target}");

        if (shardMb is double mb && !(mb >= 1 && mb <= 1024 * 1024))
        {
            throw new UserError($"--shard-mb must be a number of MiB from 1 to 1,048,576, but got {mb.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }

        CifarShardExport.RequireOutside(location.Directory, target);
    }

    /// <summary>
    /// Copies the first rows of each (already verified) split into <paramref name="target"/> in the
    /// same Parquet layout, as shards of at most <paramref name="shardMb"/> MiB (one file per split
    /// when null), verifies them row by row against the source, and only then swaps them in; a signal
    /// stops it with the folder's earlier files untouched.
    /// </summary>
    public static int Export(DataLocation location, CifarDataset train, CifarDataset test, string target, (int? Train, int? Test) limits, double? shardMb, TextWriter output)
    {
        CheckExport(location, target, limits.Train, limits.Test, shardMb);
        long? maxBytes = shardMb is double m ? (long)(m * 1024 * 1024) : null;
        ExportSplit[] splits = [new(CifarShards.Train, location.TrainFiles, limits.Train, train), new(CifarShards.Test, location.TestFiles, limits.Test, test)];
        using var signals = new SignalHandling(() => "stopping the export; the folder keeps its earlier files");
        IReadOnlyList<IReadOnlyList<string>> written;
        try
        {
            written = CifarShardExport.ExportSplits(splits, target, maxBytes, signals.Token);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            throw new CommandInterruptedException($"Stopped during the export; {target} keeps its earlier files and no partial file was left.", signals.ExitCode);
        }

        for (int i = 0; i < splits.Length; i++)
        {
            int rows = Math.Min(splits[i].Limit ?? splits[i].Source!.Count, splits[i].Source!.Count);
            long bytes = written[i].Sum(p => new FileInfo(p).Length);
            string sizes = string.Join(", ", written[i].Select(p => $"{Path.GetFileName(p)} {new FileInfo(p).Length:N0} bytes"));
            output.WriteLine($"exported {rows:N0} {splits[i].Split} rows to {target} ({sizes}; {bytes:N0} bytes in all), read back and verified row by row");
        }

        return 0;
    }

    /// <summary>Finds, reads and verifies both splits and describes them; returns them for further use.</summary>
    private static (DataLocation Location, CifarDataset Train, CifarDataset Test) Describe(string? dataOption, TextWriter output)
    {
        var location = SharedOptions.Locate(dataOption);
        output.WriteLine($"data folder: {location.Directory} (from {location.OriginText})");

        var watch = Stopwatch.StartNew();
        var trainFiles = location.TrainFiles;
        var testFiles = location.TestFiles;
        var train = Verify(trainFiles, TrainRows, "training");
        var test = Verify(testFiles, TestRows, "test");
        double seconds = watch.Elapsed.TotalSeconds;

        double fraction = new TrainingOptions().ValidationSplit;
        var split = DataSplit.Create(train.Count, fraction);
        foreach (var file in trainFiles.Concat(testFiles))
        {
            output.WriteLine($"{Path.GetFileName(file),-32} {CifarParquetReader.CountRows(file),7:N0} rows  {new FileInfo(file).Length,13:N0} bytes");
        }

        output.WriteLine($"verified: every image a 32×32 RGB PNG, every label 0..9 ({train.Count + test.Count:N0} images decoded in {seconds:F1} s: {(train.Count + test.Count) / seconds:N0} images/s on {Environment.ProcessorCount} cores)");
        output.WriteLine();
        output.WriteLine($"{"label",5}  {"class",-10} {"train",7} {"test",7}");
        var trainCounts = train.ClassCounts();
        var testCounts = test.ClassCounts();
        for (int label = 0; label < CifarDataset.ClassCount; label++)
        {
            output.WriteLine($"{label,5}  {CifarDataset.ClassNames[label],-10} {trainCounts[label],7:N0} {testCounts[label],7:N0}");
        }

        output.WriteLine();
        output.WriteLine($"validation_split {fraction}: training rows 0..{split.TrainCount - 1:N0} ({split.TrainCount:N0}), validation rows {split.TrainCount:N0}..{split.Rows - 1:N0} ({split.ValidationCount:N0}), taken before shuffling");
        return (location, train, test);
    }

    private static CifarDataset Verify(IReadOnlyList<string> shards, int expectedRows, string split)
    {
        long rows = shards.Sum(CifarParquetReader.CountRows);
        if (rows != expectedRows)
        {
            string what = shards.Count == 1 ? $"{shards[0]} has" : $"The {shards.Count} {split} shards from {shards[0]} hold";
            throw new UserError($"{what} {rows:N0} rows, but CIFAR-10's {split} split has {expectedRows:N0}; delete it and run `ilgpucnn data` to download it again, or pass --data with the folder of the full files.");
        }

        return CifarParquetReader.ReadSplit(shards);
    }
}
