using IlgpuCnn.Data;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Tests.Data;

public sealed class CifarParquetReaderTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ReadsPixelsAsNchwOver255AcrossRowGroups()
    {
        var path = Path.Combine(_dir, "small.parquet");
        TestParquet.Write(path, TestParquet.RandomRows(11), rowsPerGroup: 4); // 3 row groups: 4, 4, 3

        var data = CifarParquetReader.Read(path);

        Assert.Equal(11, data.Count);
        Assert.Equal(11 * 3072, data.Images.Length);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => i % 10), data.Labels);
        for (int row = 0; row < 11; row++)
        {
            var image = data.Image(row);
            foreach (var (x, y) in new[] { (0, 0), (31, 0), (5, 17), (31, 31) })
            {
                var expected = TestParquet.RandomPixel(row, x, y);
                int p = (y * 32) + x;
                Assert.Equal(expected.R / 255f, image[p]);
                Assert.Equal(expected.G / 255f, image[1024 + p]);
                Assert.Equal(expected.B / 255f, image[2048 + p]);
            }
        }

        Assert.Equal(11, CifarParquetReader.CountRows(path));
    }

    [Fact]
    public void LimitReadsOnlyTheFirstRows()
    {
        var path = Path.Combine(_dir, "small.parquet");
        TestParquet.Write(path, TestParquet.RandomRows(10), rowsPerGroup: 4);

        var data = CifarParquetReader.Read(path, limit: 6);

        Assert.Equal(6, data.Count);
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, data.Labels);
        Assert.Equal(TestParquet.RandomPixel(5, 3, 3).G / 255f, data.Image(5)[1024 + (3 * 32) + 3]);
    }

    [Fact]
    public void MissingFileNamesTheFileAndWhatToDo()
    {
        var path = Path.Combine(_dir, "nope.parquet");
        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.Contains("ilgpucnn data", e.Message);
        AssertOneSentence(e.Message);
    }

    [Fact]
    public void TruncatedFileIsNotReadableParquet()
    {
        var good = Path.Combine(_dir, "good.parquet");
        TestParquet.Write(good, TestParquet.RandomRows(8));
        var bytes = File.ReadAllBytes(good);
        var path = Path.Combine(_dir, "truncated.parquet");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a readable Parquet file", e.Message);
        AssertOneSentence(e.Message);
    }

    [Fact]
    public void TextFileIsNotReadableParquet()
    {
        var path = Path.Combine(_dir, "notes.parquet");
        File.WriteAllText(path, "these are not the rows you are looking for");
        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a readable Parquet file", e.Message);
    }

    [Fact]
    public void OtherSchemaNamesTheColumnsItHas()
    {
        var path = Path.Combine(_dir, "other.parquet");
        TestParquet.WriteOtherSchema(path);
        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("image", e.Message);
        Assert.Contains("target", e.Message);
        Assert.Contains("`img`", e.Message);
        AssertOneSentence(e.Message);
    }

    [Fact]
    public void SixteenBySixteenImageNamesRowAndSize()
    {
        var rows = TestParquet.RandomRows(6);
        rows[5] = (TestParquet.Png(16, 16, (x, y) => new Rgb24(1, 2, 3)), 4);
        var path = Path.Combine(_dir, "small-image.parquet");
        TestParquet.Write(path, rows);

        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("Row 5", e.Message);
        Assert.Contains("16×16", e.Message);
        Assert.Contains("32×32", e.Message);
        AssertOneSentence(e.Message);
    }

    [Fact]
    public void GrayscalePngIsNotRgb()
    {
        var rows = TestParquet.RandomRows(3);
        rows[1] = (TestParquet.Png(32, 32, (x, y) => new Rgb24(9, 9, 9), PngColorType.Grayscale), 1);
        var path = Path.Combine(_dir, "gray.parquet");
        TestParquet.Write(path, rows);

        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(path));
        Assert.Contains("Row 1", e.Message);
        Assert.Contains("Grayscale", e.Message);
    }

    [Fact]
    public void NotAnImageNamesTheRow()
    {
        var rows = TestParquet.RandomRows(3);
        rows[2] = ("not a png at all"u8.ToArray(), 2);
        var path = Path.Combine(_dir, "junk.parquet");
        TestParquet.Write(path, rows);

        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(path));
        Assert.Contains("Row 2", e.Message);
        Assert.Contains("not a readable PNG", e.Message);
    }

    [Fact]
    public void LabelTwelveNamesRowAndLabel()
    {
        var rows = TestParquet.RandomRows(9);
        rows[6] = (rows[6].Png, 12);
        var path = Path.Combine(_dir, "label.parquet");
        TestParquet.Write(path, rows);

        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("Row 6", e.Message);
        Assert.Contains("label 12", e.Message);
        Assert.Contains("0..9", e.Message);
        AssertOneSentence(e.Message);
    }

    [Fact]
    public void TheFirstBadRowIsReported()
    {
        var rows = TestParquet.RandomRows(12);
        rows[9] = (rows[9].Png, -1);
        rows[3] = (rows[3].Png, 10);
        var path = Path.Combine(_dir, "two-bad.parquet");
        TestParquet.Write(path, rows);

        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(path));
        Assert.Contains("Row 3", e.Message);
    }

    /// <summary>One sentence: ends with a full stop and has no line breaks or second sentence start.</summary>
    internal static void AssertOneSentence(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.EndsWith(".", message);
        Assert.DoesNotContain(". ", message.Replace("e.g. ", string.Empty));
    }
}
