using System.Diagnostics;
using IlgpuCnn.Data;
using Parquet;
using Parquet.Schema;

namespace IlgpuCnn.Tests.Data;

/// <summary>Checks the reader on the real CIFAR-10 files (skipped, visibly, when they are absent).</summary>
[Collection(RealData.CollectionName)] // one real-data test at a time: two full decodes at once would double the memory
// The decode speed is not a test: `ilgpucnn data` prints images/s (benchmarks/RESULTS.md records it).
public sealed class RealDataTests(ITestOutputHelper output)
{
    [Fact]
    public void TrainSplitHas50000RowsWith5000PerClassAndFirstLabelFrog()
    {
        RealData.SkipIfAbsent();

        var watch = Stopwatch.StartNew();
        var train = RealData.TrainSet;
        output.WriteLine($"train: {train.Count} images read and decoded in {watch.Elapsed.TotalSeconds:F2} s (or cached)");

        Assert.Equal(50_000, train.Count);
        Assert.All(train.ClassCounts(), c => Assert.Equal(5_000, c));
        Assert.Equal(new[] { 6, 9, 9, 4, 1, 1, 2, 7, 8, 3 }, train.Labels.Take(10));
        Assert.Equal("frog", CifarDataset.ClassNames[train.Labels[0]]);

        // Published CIFAR-10 values: x_train[0][0][0] = (59, 62, 63).
        var first = train.Image(0);
        Assert.Equal(59 / 255f, first[0]);
        Assert.Equal(62 / 255f, first[1024]);
        Assert.Equal(63 / 255f, first[2048]);
        Assert.InRange(train.Images.Min(), 0f, 0f);
        Assert.InRange(train.Images.Max(), 1f, 1f);
    }

    [Fact]
    public void TestSplitHas10000RowsWith1000PerClassAndFirstLabelCat()
    {
        RealData.SkipIfAbsent();

        var test = RealData.TestSet;
        Assert.Equal(10_000, test.Count);
        Assert.All(test.ClassCounts(), c => Assert.Equal(1_000, c));
        Assert.Equal(new[] { 3, 8, 8, 0, 6, 6, 1, 6, 3, 1 }, test.Labels.Take(10));
        Assert.Equal("cat", CifarDataset.ClassNames[test.Labels[0]]);
    }

    [Fact]
    public void FirstTestImageMatchesAnIndependentPngDecode()
    {
        RealData.SkipIfAbsent();

        var path = Path.Combine(RealData.Directory!, DataLocator.TestFileName);
        byte[] png = FirstPng(path);
        var (width, height, rgb) = MiniPng.Decode(png);
        Assert.Equal((32, 32), (width, height));

        // Published CIFAR-10 values: x_test[0][0][0] = (158, 112, 49).
        Assert.Equal(new byte[] { 158, 112, 49 }, rgb.AsSpan(0, 3).ToArray());

        var image = CifarParquetReader.Read(path, limit: 1).Image(0);
        for (int p = 0; p < 1024; p++)
        {
            Assert.Equal(rgb[(p * 3) + 0] / 255f, image[p]);
            Assert.Equal(rgb[(p * 3) + 1] / 255f, image[1024 + p]);
            Assert.Equal(rgb[(p * 3) + 2] / 255f, image[2048 + p]);
        }
    }

    private static byte[] FirstPng(string path)
    {
        return ReadAsync().GetAwaiter().GetResult();

        async Task<byte[]> ReadAsync()
        {
            await using var reader = await ParquetReader.CreateAsync(path);
            var field = reader.Schema.GetDataFields().Single(f => f.Name == "bytes");
            using var group = reader.OpenRowGroupReader(0);
            var values = new byte[]?[group.RowCount];
            await group.ReadAsync(field, values.AsMemory());
            return values[0]!;
        }
    }
}
