using IlgpuCnn.Data;
using IlgpuCnn.Tests.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Tests.Cli.Commands;

[Collection(ConsoleCollection.Name)]
public sealed class PreviewCommandTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesTheGridPngAndTheSeedChangesIt()
    {
        TestParquet.Write(Path.Combine(_dir, DataLocator.TrainFileName), TestParquet.RandomRows(40), rowsPerGroup: 10);
        TestParquet.Write(Path.Combine(_dir, DataLocator.TestFileName), TestParquet.RandomRows(4));
        var out0 = Path.Combine(_dir, "out", "seed0.png");
        var out1 = Path.Combine(_dir, "out", "seed1.png");

        var (code, output, err) = CliRunner.Run("preview", "--data", _dir, "--out", out0);
        Assert.True(code == 0, err);
        Assert.Contains("25 augmented training images (seed 0)", output);
        Assert.Equal(0, CliRunner.Run("preview", "--data", _dir, "--out", out1, "--seed", "1").Code);

        using var image0 = Image.Load<Rgb24>(out0);
        Assert.Equal((676, 786), (image0.Width, image0.Height));
        Assert.NotEqual(File.ReadAllBytes(out0), File.ReadAllBytes(out1));
        Assert.Equal(new[] { "seed0.png", "seed1.png" }, Directory.GetFiles(Path.Combine(_dir, "out")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void FewerThan25RowsDrawWhatThereIs()
    {
        TestParquet.Write(Path.Combine(_dir, DataLocator.TrainFileName), TestParquet.RandomRows(2));
        TestParquet.Write(Path.Combine(_dir, DataLocator.TestFileName), TestParquet.RandomRows(2));
        var png = Path.Combine(_dir, "two.png");
        var (code, output, err) = CliRunner.Run("preview", "--data", _dir, "--out", png);
        Assert.True(code == 0, err);
        Assert.Contains("2 augmented training images", output);
        using var image = Image.Load<Rgb24>(png);
        var colours = new HashSet<Rgb24>();
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    colours.Add(p);
                }
            }
        });
        Assert.True(colours.Count > 100, $"the grid has only {colours.Count} colours: no image was drawn");
    }

    [Fact]
    public void MissingDataExitsNonZero()
    {
        var (code, _, err) = CliRunner.Run("preview", "--data", _dir, "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: The data folder", err);
        Assert.False(File.Exists(Path.Combine(_dir, "x.png")));
    }

    [Fact]
    public void RealDataPreview()
    {
        if (RealData.Directory is null)
        {
            return;
        }

        var path = Path.Combine(_dir, "real.png");
        var (code, _, err) = CliRunner.Run("preview", "--data", RealData.Directory, "--out", path);
        Assert.True(code == 0, err);
        using var image = Image.Load<Rgb24>(path);
        // Not a blank canvas: the 25 cells hold many different colours.
        var colours = new HashSet<Rgb24>();
        for (int y = 0; y < image.Height; y += 3)
        {
            for (int x = 0; x < image.Width; x += 3)
            {
                colours.Add(image[x, y]);
            }
        }

        Assert.True(colours.Count > 5_000, $"only {colours.Count} colours");
    }
}
