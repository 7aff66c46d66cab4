using IlgpuCnn.Data;
using IlgpuCnn.Device;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Tests.Data;

[Collection(DeviceCollection.Name)]
public sealed class AugmentationPreviewTests(DeviceFixture fixture)
{
    private readonly ComputeDevice _device = fixture.Device;

    /// <summary>25 flat-coloured images (image n has colour (10n, 255 − 10n, 5n)): any augmentation keeps them flat.</summary>
    private static CifarDataset FlatImages()
    {
        var images = new float[25 * CifarDataset.ImageFloats];
        for (int n = 0; n < 25; n++)
        {
            images.AsSpan((n * 3072) + 0, 1024).Fill(10 * n / 255f);
            images.AsSpan((n * 3072) + 1024, 1024).Fill((255 - (10 * n)) / 255f);
            images.AsSpan((n * 3072) + 2048, 1024).Fill(5 * n / 255f);
        }

        return new CifarDataset(images, Enumerable.Range(0, 25).Select(n => n % 10).ToArray(), "flat");
    }

    [Fact]
    public void LaysOutTwentyFiveScaledImagesWithLabels()
    {
        var data = FlatImages();
        var indices = Enumerable.Range(0, 25).Reverse().ToArray();
        using var image = AugmentationPreview.Render(_device, data, indices, seed: 0);

        int step = AugmentationPreview.Cell + AugmentationPreview.Padding;
        Assert.Equal((5 * AugmentationPreview.Cell) + (6 * AugmentationPreview.Padding), image.Width);
        Assert.Equal((5 * (AugmentationPreview.Cell + AugmentationPreview.LabelHeight)) + (6 * AugmentationPreview.Padding), image.Height);
        for (int i = 0; i < 25; i++)
        {
            int n = indices[i];
            int left = AugmentationPreview.Padding + ((i % 5) * step);
            int top = AugmentationPreview.Padding + ((i / 5) * (step + AugmentationPreview.LabelHeight));
            foreach (var (dx, dy) in new[] { (0, 0), (64, 64), (127, 127) })
            {
                Assert.Equal(new Rgb24((byte)(10 * n), (byte)(255 - (10 * n)), (byte)(5 * n)), image[left + dx, top + dy]);
            }

            // The class name is drawn in dark ink under the cell.
            int dark = 0;
            for (int y = top + AugmentationPreview.Cell; y < top + AugmentationPreview.Cell + AugmentationPreview.LabelHeight; y++)
            {
                for (int x = left; x < left + AugmentationPreview.Cell; x++)
                {
                    dark += image[x, y].R < 100 ? 1 : 0;
                }
            }

            Assert.True(dark > 40, $"cell {i}: no label ink");
        }
    }

    [Fact]
    public void PickIndicesIsDistinctAndSeeded()
    {
        var a = AugmentationPreview.PickIndices(1000, 0);
        Assert.Equal(25, a.Distinct().Count());
        Assert.All(a, i => Assert.InRange(i, 0, 999));
        Assert.Equal(a, AugmentationPreview.PickIndices(1000, 0));
        Assert.NotEqual(a, AugmentationPreview.PickIndices(1000, 1));
        Assert.Equal(7, AugmentationPreview.PickIndices(7, 0).Length);
    }

    [Fact]
    public void SaveWritesAPngAndLeavesNoTempFile()
    {
        var dir = TestParquet.NewTempDirectory();
        try
        {
            using var image = new Image<Rgb24>(10, 7, new Rgb24(1, 2, 3));
            var path = Path.Combine(dir, "sub", "grid.png");
            AugmentationPreview.Save(image, path);
            AugmentationPreview.Save(image, path); // overwrite
            Assert.Equal(new[] { "grid.png" }, Directory.GetFiles(Path.Combine(dir, "sub")).Select(Path.GetFileName));
            using var back = Image.Load<Rgb24>(path);
            Assert.Equal((10, 7), (back.Width, back.Height));
            Assert.Equal(new Rgb24(1, 2, 3), back[9, 6]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
