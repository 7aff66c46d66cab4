using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

/// <summary>Hugging Face shards of a split: finding them in order, the errors of an incomplete set, and exports that read back equal.</summary>
[Collection(RealData.CollectionName)]
public sealed class CifarShardsTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The first rows of the real training split when it is here, else random PNG rows; written as one source file.</summary>
    private (string Source, CifarDataset Rows) SourceRows(int count)
    {
        string source = Path.Combine(_dir, "source");
        Directory.CreateDirectory(source);
        string path = Path.Combine(source, DataLocator.TrainFileName);
        if (RealData.Directory is not null)
        {
            var real = CifarParquetReader.ReadRawRows([Path.Combine(RealData.Directory, DataLocator.TrainFileName)], count);
            TestParquet.Write(path, real, rowsPerGroup: 100);
        }
        else
        {
            log.WriteLine(RealData.AbsentReason + " (random rows used instead)");
            TestParquet.Write(path, TestParquet.RandomRows(count), rowsPerGroup: 100);
        }

        return (path, CifarParquetReader.Read(path));
    }

    [Fact]
    public void AThreeShardExportReadsBackEqualToTheSource()
    {
        var (source, rows) = SourceRows(401);
        long bytes = new FileInfo(source).Length;
        string target = Path.Combine(_dir, "out");
        var written = CifarShardExport.Export([source], CifarShards.Train, target, limit: null, maxShardBytes: (bytes / 3) + 120_000);

        Assert.Equal(Enumerable.Range(0, 3).Select(i => Path.Combine(target, CifarShards.FileName("train", i, 3))), written);
        Assert.All(written, p => Assert.True(new FileInfo(p).Length <= (bytes / 3) + 120_000, $"{p} is {new FileInfo(p).Length} bytes"));
        Assert.Equal(written, CifarShards.Find(target, CifarShards.Train));
        var back = CifarParquetReader.ReadSplit(CifarShards.Find(target, CifarShards.Train));
        Assert.Equal(rows.Count, back.Count);
        Assert.Equal(rows.Labels, back.Labels);
        Assert.Equal(rows.Images, back.Images);
        Assert.All(written, p => Assert.InRange(CifarParquetReader.CountRows(p), 100, 200)); // about equal shards

        // A limit reads back as the first rows, and a later export replaces the older shards.
        var again = CifarShardExport.Export([source], CifarShards.Train, target, limit: 150, maxShardBytes: null);
        Assert.Equal([Path.Combine(target, "train-00000-of-00001.parquet")], again);
        Assert.Equal(again, Directory.GetFiles(target));
        var first = CifarParquetReader.ReadSplit(again);
        Assert.Equal(rows.Labels.Take(150), first.Labels);
        Assert.Equal(rows.Images.Take(150 * CifarDataset.ImageFloats), first.Images);
    }

    [Fact]
    public void ShardsAreReadInIndexOrderWithALimitAcrossThem()
    {
        var rows = TestParquet.RandomRows(30);
        for (int s = 2; s >= 0; s--)
        {
            TestParquet.Write(Path.Combine(_dir, CifarShards.FileName("test", s, 3)), rows.GetRange(s * 10, 10));
        }

        TestParquet.Write(Path.Combine(_dir, CifarShards.FileName("train", 0, 1)), rows.GetRange(0, 3));
        var shards = CifarShards.Find(_dir, CifarShards.Test);
        Assert.Equal(["test-00000-of-00003.parquet", "test-00001-of-00003.parquet", "test-00002-of-00003.parquet"], shards.Select(Path.GetFileName));
        var data = CifarParquetReader.ReadSplit(shards, limit: 25);
        Assert.Equal(rows.Take(25).Select(r => (int)r.Label), data.Labels);
        var one = CifarParquetReader.Read(Path.Combine(_dir, CifarShards.FileName("test", 2, 3)));
        Assert.Equal(one.Images.Take(5 * CifarDataset.ImageFloats), data.Images.Skip(20 * CifarDataset.ImageFloats));
        Assert.Equal(3, CifarParquetReader.ReadSplit(CifarShards.Find(_dir, CifarShards.Train)).Count);
    }

    [Fact]
    public void AMissingShardIsOneSentenceNamingIt()
    {
        TestParquet.Write(Path.Combine(_dir, CifarShards.FileName("train", 0, 3)), TestParquet.RandomRows(2));
        TestParquet.Write(Path.Combine(_dir, CifarShards.FileName("train", 2, 3)), TestParquet.RandomRows(2));
        var e = Assert.Throws<UserError>(() => CifarShards.Find(_dir, CifarShards.Train));
        Assert.Contains("has 2 of the 3 train shards, but not train-00001-of-00003.parquet", e.Message);
        Assert.Contains(_dir, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AnExtraShardOfAnotherSetIsOneSentence()
    {
        TestParquet.Write(Path.Combine(_dir, CifarShards.FileName("train", 0, 2)), TestParquet.RandomRows(2));
        TestParquet.Write(Path.Combine(_dir, CifarShards.FileName("train", 1, 2)), TestParquet.RandomRows(2));
        TestParquet.Write(Path.Combine(_dir, CifarShards.FileName("train", 2, 3)), TestParquet.RandomRows(2));
        var e = Assert.Throws<UserError>(() => CifarShards.Find(_dir, CifarShards.Train));
        Assert.Contains("disagree on how many there are (2 of '-of-00002', 1 of '-of-00003')", e.Message);

        File.Delete(Path.Combine(_dir, CifarShards.FileName("train", 2, 3)));
        TestParquet.Write(Path.Combine(_dir, CifarShards.FileName("train", 2, 2)), TestParquet.RandomRows(2));
        e = Assert.Throws<UserError>(() => CifarShards.Find(_dir, CifarShards.Train));
        Assert.Contains("train-00002-of-00002.parquet is shard 2 of a set of 2", e.Message);
    }

    [Fact]
    public void NoShardAtAllNamesTheHubFile()
    {
        var e = Assert.Throws<UserError>(() => CifarShards.Find(_dir, CifarShards.Test));
        Assert.Contains($"{_dir} has no test-00000-of-00001.parquet", e.Message);
    }

    [Fact]
    public void TheFullTrainingSplitAsShardsOfAtMost60MiBReadsBackIdentical()
    {
        RealData.SkipIfAbsent();

        const long limit = 60L * 1024 * 1024;
        string target = Path.Combine(_dir, "full");
        var written = CifarShardExport.Export([Path.Combine(RealData.Directory!, DataLocator.TrainFileName)], CifarShards.Train, target, null, limit, RealData.TrainSet);
        Assert.Equal(2, written.Count);
        Assert.All(written, p => Assert.True(new FileInfo(p).Length <= limit, $"{p} is {new FileInfo(p).Length:N0} bytes"));
        // The export decoded its shards and compared every row's pixels and label with the decoded
        // source (it throws otherwise); here the stored bytes are compared too, row by row, in order.
        Assert.Equal(written, CifarShards.Find(target, CifarShards.Train));
        var original = CifarParquetReader.ReadRawRows([Path.Combine(RealData.Directory!, DataLocator.TrainFileName)]);
        var back = CifarParquetReader.ReadRawRows(written);
        Assert.Equal(50_000, back.Count);
        Assert.Equal(original.Count, back.Count);
        for (int i = 0; i < back.Count; i++)
        {
            Assert.True(original[i].Label == back[i].Label && original[i].Png.AsSpan().SequenceEqual(back[i].Png), $"row {i} differs");
        }
        log.WriteLine(string.Join(", ", written.Select(p => $"{Path.GetFileName(p)} {new FileInfo(p).Length:N0} bytes")));
    }
}
