using IlgpuCnn.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Tests.Data;

public sealed class BitmapFontTests
{
    [Fact]
    public void EveryClassNameHasGlyphs()
    {
        // A character without a glyph of its own is drawn as the box an unknown character gets.
        static bool DrawnAsBox(char c) => Enumerable.Range(0, 5 * BitmapFont.CellHeight).All(u => BitmapFont.IsInk(c, u % 5, u / 5) == BitmapFont.IsInk('\u0001', u % 5, u / 5));
        Assert.True(DrawnAsBox('~'));
        Assert.All(CifarDataset.ClassNames.SelectMany(n => n), c => Assert.False(DrawnAsBox(c), $"no glyph for '{c}'"));
    }

    [Fact]
    public void DrawsTheGlyphBitsScaled()
    {
        using var image = new Image<Rgb24>(40, 20, new Rgb24(255, 255, 255));
        var ink = new Rgb24(0, 0, 0);
        BitmapFont.Draw(image, "cat", 1, 1, 2, ink);

        Assert.Equal(36, BitmapFont.Measure("cat", 2));
        for (int k = 0; k < 3; k++)
        {
            for (int row = 0; row < BitmapFont.CellHeight; row++)
            {
                for (int column = 0; column < 5; column++)
                {
                    bool expected = BitmapFont.IsInk("cat"[k], column, row);
                    int x = 1 + (((k * BitmapFont.CellWidth) + column) * 2);
                    int y = 1 + (row * 2);
                    if (y + 1 < image.Height)
                    {
                        Assert.Equal(expected, image[x, y].Equals(ink));
                        Assert.Equal(expected, image[x + 1, y + 1].Equals(ink));
                    }
                }
            }
        }

        // 'c' row 2 is ".####", 't' row 0 is ".#...".
        Assert.True(BitmapFont.IsInk('c', 1, 2));
        Assert.False(BitmapFont.IsInk('c', 0, 2));
        Assert.True(BitmapFont.IsInk('t', 1, 0));
        Assert.True(BitmapFont.IsInk('g', 1, 8)); // descender
    }

    [Fact]
    public void DrawingIsClippedToTheImage()
    {
        using var image = new Image<Rgb24>(8, 8, new Rgb24(255, 255, 255));
        BitmapFont.Draw(image, "automobile", -3, 2, 3, new Rgb24(0, 0, 0));
        Assert.Equal(8, image.Width);
    }
}
