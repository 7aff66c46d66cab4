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
        var export = new Option<string?>("--export") { Description = "Also write the first rows of each split as Parquet files (same layout) into this folder, e.g. to carry a subset to another machine." };
        var trainLimit = new Option<int?>("--train-limit") { Description = "With --export: training rows to write (default: all)." };
        var testLimit = new Option<int?>("--test-limit") { Description = "With --export: test rows to write (default: all)." };
        var command = new Command("data", "Find or download CIFAR-10, verify it, and describe it (rows, per-class counts, where it is).");
        command.Options.Add(data);
        command.Options.Add(export);
        command.Options.Add(trainLimit);
        command.Options.Add(testLimit);
        command.SetAction(parse => Cli.Guard(parse, () =>
        {
            var (location, train, test) = Describe(parse.GetValue(data), Console.Out);
            string? target = parse.GetValue(export);
            return target is null ? 0 : Export(location, train, test, target, parse.GetValue(trainLimit), parse.GetValue(testLimit), Console.Out);
        }));
        return command;
    }

    /// <summary>Writes the first rows of each (already verified) split into <paramref name="target"/> in the same Parquet layout.</summary>
    public static int Export(DataLocation location, CifarDataset train, CifarDataset test, string target, int? trainLimit, int? testLimit, TextWriter output)
    {
        if (trainLimit is < 1 || testLimit is < 1)
        {
            throw new UserError($"--train-limit and --test-limit must be at least 1, but got {trainLimit} and {testLimit}.");
        }

        if (File.Exists(target))
        {
            throw new UserError($"--export {target} is a file, not a folder; pass a folder to write the Parquet files into.");
        }

        Directory.CreateDirectory(target);
        foreach (var (file, data, limit) in new[] { (location.TrainFile, train, trainLimit), (location.TestFile, test, testLimit) })
        {
            int rows = Math.Min(limit ?? data.Count, data.Count);
            var first = new CifarDataset(data.Images.AsSpan(0, rows * CifarDataset.ImageFloats).ToArray(), data.Labels.AsSpan(0, rows).ToArray(), data.Source);
            string path = Path.Combine(target, Path.GetFileName(file));
            try
            {
                CifarParquetWriter.Write(path, first);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The writer has removed its temporary file; name the file the user asked for.
                throw new UserError($"Could not write {path} ({e.Message.Split(" : ")[0].TrimEnd('.')}); free disk space or pass another --export folder.", e);
            }

            output.WriteLine($"exported {rows:N0} rows to {path} ({new FileInfo(path).Length:N0} bytes)");
        }

        return 0;
    }

    /// <summary>Runs the command, writing the description to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(string? dataOption, TextWriter output)
    {
        Describe(dataOption, output);
        return 0;
    }

    /// <summary>Finds, reads and verifies both splits and describes them; returns them for further use.</summary>
    private static (DataLocation Location, CifarDataset Train, CifarDataset Test) Describe(string? dataOption, TextWriter output)
    {
        var location = SharedOptions.Locate(dataOption);
        output.WriteLine($"data folder: {location.Directory} (from {location.OriginText})");

        var watch = Stopwatch.StartNew();
        var train = Verify(location.TrainFile, TrainRows, "training");
        var test = Verify(location.TestFile, TestRows, "test");
        double seconds = watch.Elapsed.TotalSeconds;

        double fraction = new TrainingOptions().ValidationSplit;
        var split = DataSplit.Create(train.Count, fraction);
        output.WriteLine($"{Path.GetFileName(location.TrainFile),-32} {train.Count,7:N0} rows  {new FileInfo(location.TrainFile).Length,13:N0} bytes");
        output.WriteLine($"{Path.GetFileName(location.TestFile),-32} {test.Count,7:N0} rows  {new FileInfo(location.TestFile).Length,13:N0} bytes");
        output.WriteLine($"verified: every image a 32×32 RGB PNG, every label 0..9 ({train.Count + test.Count:N0} images decoded in {seconds:F1} s)");
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

    private static CifarDataset Verify(string path, int expectedRows, string split)
    {
        long rows = CifarParquetReader.CountRows(path);
        if (rows != expectedRows)
        {
            throw new UserError($"{path} has {rows:N0} rows, but CIFAR-10's {split} split has {expectedRows:N0}; delete it and run `ilgpucnn data` to download it again, or pass --data with the folder of the full files.");
        }

        return CifarParquetReader.Read(path);
    }
}
