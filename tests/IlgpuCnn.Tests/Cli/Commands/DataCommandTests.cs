using IlgpuCnn.Data;
using IlgpuCnn.Tests.Data;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Tests.Cli.Commands;

[Collection(ConsoleCollection.Name)]
public sealed class DataCommandTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Train => Path.Combine(_dir, DataLocator.TrainFileName);

    private string Test => Path.Combine(_dir, DataLocator.TestFileName);

    private (int Code, string Out, string Err) RunData()
    {
        var result = CliRunner.Run("data", "--data", _dir);
        log.WriteLine(result.Err);
        return result;
    }

    private static void AssertOneErrorLine(string err, params string[] parts)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", err); // no stack trace
        foreach (var part in parts)
        {
            Assert.Contains(part, lines[0]);
        }
    }

    [Fact]
    public void AFailedExportNamesTheTargetAndLeavesNoTempFile()
    {
        // A write that fails at the end (here a folder stands where the file goes; a full disk fails the same way).
        var rng = new TestRandom(2);
        var rows = new CifarDataset(rng.Floats(3L * CifarDataset.ImageFloats, 0f, 1f), [1, 2, 3], "test");
        string export = _dir + "-export";
        string blocked = Path.Combine(export, DataLocator.TrainFileName);
        Directory.CreateDirectory(Path.Combine(blocked, "x"));
        CifarParquetWriter.Write(Train, rows);
        CifarParquetWriter.Write(Test, rows);
        var location = new DataLocation(_dir, DataOrigin.Flag);
        try
        {
            var e = Assert.Throws<UserError>(() => IlgpuCnn.Cli.Commands.DataCommand.Export(location, rows, rows, export, (null, null), null, TextWriter.Null));
            Assert.StartsWith($"'{blocked}' is a folder, not a regular file", e.Message);
            Assert.DoesNotContain(".tmp", e.Message);
            Assert.Empty(AtomicFileTests.Leftovers(export));
            Assert.Single(Directory.GetFileSystemEntries(export));
        }
        finally
        {
            Directory.Delete(export, recursive: true);
        }
    }

    [Fact]
    public void MissingFilesExitNonZero()
    {
        var (code, _, err) = RunData();
        Assert.Equal(1, code);
        AssertOneErrorLine(err, _dir, DataLocator.TrainFileName, "--data");
    }

    [Fact]
    public void TruncatedFileExitsNonZero()
    {
        TestParquet.Write(Test, TestParquet.RandomRows(4));
        var bytes = File.ReadAllBytes(Test);
        File.WriteAllBytes(Train, bytes[..(bytes.Length - 20)]);
        var (code, _, err) = RunData();
        Assert.Equal(1, code);
        AssertOneErrorLine(err, Train, "not a readable Parquet file");
    }

    [Fact]
    public void OtherSchemaExitsNonZero()
    {
        TestParquet.WriteOtherSchema(Train);
        TestParquet.Write(Test, TestParquet.RandomRows(4));
        var (code, _, err) = RunData();
        Assert.Equal(1, code);
        AssertOneErrorLine(err, Train, "`img`");
    }

    [Fact]
    public void WrongRowCountExitsNonZero()
    {
        TestParquet.Write(Train, TestParquet.RandomRows(8));
        TestParquet.Write(Test, TestParquet.RandomRows(4));
        var (code, _, err) = RunData();
        Assert.Equal(1, code);
        AssertOneErrorLine(err, Train, "has 8 rows", "50,000");
    }

    [Fact]
    public void SixteenBySixteenImageExitsNonZero()
    {
        var rows = TestParquet.RandomRows(5);
        rows[2] = (TestParquet.Png(16, 16, (x, y) => new Rgb24(0, 0, 0)), 1);
        WriteFullSizeTrainFileWith(rows);
        var (code, _, err) = RunData();
        Assert.Equal(1, code);
        AssertOneErrorLine(err, Train, "Row 2", "16×16");
    }

    [Fact]
    public void LabelTwelveExitsNonZero()
    {
        var rows = TestParquet.RandomRows(5);
        rows[3] = (rows[3].Png, 12);
        WriteFullSizeTrainFileWith(rows);
        var (code, _, err) = RunData();
        Assert.Equal(1, code);
        AssertOneErrorLine(err, Train, "Row 3", "label 12");
    }

    [Fact]
    public void RealDataIsDescribed()
    {
        RealData.SkipIfAbsent();

        var (code, output, err) = CliRunner.Run("data", "--data", RealData.Directory!);
        Assert.True(code == 0, err);
        Assert.Contains($"data folder: {RealData.Directory!} (from --data)", output);
        Assert.Contains("50,000 rows", output);
        Assert.Contains("10,000 rows", output);
        var rows = output.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        for (int label = 0; label < 10; label++)
        {
            Assert.Contains($"{label} {CifarDataset.ClassNames[label]} 5,000 1,000", rows);
        }

        Assert.Contains("training rows 0..39,999 (40,000), validation rows 40,000..49,999 (10,000)", output);
    }

    /// <summary>A train file with 50,000 rows (the count check passes) whose first rows are <paramref name="head"/>; the PNGs repeat.</summary>
    private void WriteFullSizeTrainFileWith(List<(byte[] Png, long Label)> head)
    {
        var png = TestParquet.Png(32, 32, (x, y) => new Rgb24(7, 8, 9)); // ~100 bytes, so the file stays small
        var rows = head.Concat(Enumerable.Range(head.Count, 50_000 - head.Count).Select(i => (png, (long)(i % 10)))).ToList();
        TestParquet.Write(Train, rows, rowsPerGroup: 5_000);
        TestParquet.Write(Test, TestParquet.RandomRows(4));
    }
}
