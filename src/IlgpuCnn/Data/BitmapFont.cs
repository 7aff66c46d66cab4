using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Data;

/// <summary>
/// A tiny built-in 5×7 bitmap font (lowercase letters, digits, space, '-', '.'; descenders on
/// g j p q y reach two rows lower) for labelling preview images without a font library or
/// system fonts. A glyph cell is 6×9 units; each unit is drawn as a scale×scale square.
/// </summary>
public static class BitmapFont
{
    /// <summary>Cell width in font units (5 columns of glyph + 1 of spacing).</summary>
    public const int CellWidth = 6;

    /// <summary>Cell height in font units (7 rows + 2 descender rows).</summary>
    public const int CellHeight = 9;

    /// <summary>Rows top to bottom, '#' = ink; unknown characters are drawn as a box.</summary>
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['a'] = ".....|.....|.###.|....#|.####|#...#|.####",
        ['b'] = "#....|#....|####.|#...#|#...#|#...#|####.",
        ['c'] = ".....|.....|.####|#....|#....|#....|.####",
        ['d'] = "....#|....#|.####|#...#|#...#|#...#|.####",
        ['e'] = ".....|.....|.###.|#...#|#####|#....|.####",
        ['f'] = "..##.|.#...|####.|.#...|.#...|.#...|.#...",
        ['g'] = ".....|.....|.####|#...#|#...#|#...#|.####|....#|.###.",
        ['h'] = "#....|#....|####.|#...#|#...#|#...#|#...#",
        ['i'] = "..#..|.....|.##..|..#..|..#..|..#..|.###.",
        ['j'] = "...#.|.....|..##.|...#.|...#.|...#.|...#.|#..#.|.##..",
        ['k'] = "#....|#....|#..#.|#.#..|##...|#.#..|#..#.",
        ['l'] = ".##..|..#..|..#..|..#..|..#..|..#..|.###.",
        ['m'] = ".....|.....|##.#.|#.#.#|#.#.#|#.#.#|#.#.#",
        ['n'] = ".....|.....|####.|#...#|#...#|#...#|#...#",
        ['o'] = ".....|.....|.###.|#...#|#...#|#...#|.###.",
        ['p'] = ".....|.....|####.|#...#|#...#|#...#|####.|#....|#....",
        ['q'] = ".....|.....|.####|#...#|#...#|#...#|.####|....#|....#",
        ['r'] = ".....|.....|#.##.|##..#|#....|#....|#....",
        ['s'] = ".....|.....|.####|#....|.###.|....#|####.",
        ['t'] = ".#...|.#...|####.|.#...|.#...|.#..#|..##.",
        ['u'] = ".....|.....|#...#|#...#|#...#|#...#|.####",
        ['v'] = ".....|.....|#...#|#...#|#...#|.#.#.|..#..",
        ['w'] = ".....|.....|#...#|#...#|#.#.#|#.#.#|.#.#.",
        ['x'] = ".....|.....|#...#|.#.#.|..#..|.#.#.|#...#",
        ['y'] = ".....|.....|#...#|#...#|#...#|#...#|.####|....#|.###.",
        ['z'] = ".....|.....|#####|...#.|..#..|.#...|#####",
        ['0'] = ".###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
        ['1'] = "..#..|.##..|..#..|..#..|..#..|..#..|.###.",
        ['2'] = ".###.|#...#|....#|...#.|..#..|.#...|#####",
        ['3'] = "####.|....#|....#|.###.|....#|....#|####.",
        ['4'] = "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
        ['5'] = "#####|#....|####.|....#|....#|#...#|.###.",
        ['6'] = "..##.|.#...|#....|####.|#...#|#...#|.###.",
        ['7'] = "#####|....#|...#.|..#..|.#...|.#...|.#...",
        ['8'] = ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
        ['9'] = ".###.|#...#|#...#|.####|....#|...#.|.##..",
        [' '] = ".....|.....|.....|.....|.....|.....|.....",
        ['-'] = ".....|.....|.....|#####|.....|.....|.....",
        ['.'] = ".....|.....|.....|.....|.....|.##..|.##..",
    };

    private const string Box = "#####|#...#|#...#|#...#|#...#|#...#|#####";

    /// <summary>Width in pixels of <paramref name="text"/> at <paramref name="scale"/>.</summary>
    public static int Measure(string text, int scale) => text.Length * CellWidth * scale;

    /// <summary>True when font unit (column, row) of <paramref name="character"/> is ink.</summary>
    public static bool IsInk(char character, int column, int row)
    {
        var glyph = Glyphs.TryGetValue(char.ToLowerInvariant(character), out var g) ? g : Box;
        int at = (row * 6) + column; // each row is 5 characters and a '|'
        return column is >= 0 and < 5 && row >= 0 && at < glyph.Length && glyph[at] == '#';
    }

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y), clipped to the image.</summary>
    public static void Draw(Image<Rgb24> image, string text, int x, int y, int scale, Rgb24 color)
    {
        for (int k = 0; k < text.Length; k++)
        {
            for (int row = 0; row < CellHeight; row++)
            {
                for (int column = 0; column < 5; column++)
                {
                    if (!IsInk(text[k], column, row))
                    {
                        continue;
                    }

                    int left = x + (((k * CellWidth) + column) * scale);
                    int top = y + (row * scale);
                    for (int dy = 0; dy < scale; dy++)
                    {
                        for (int dx = 0; dx < scale; dx++)
                        {
                            int px = left + dx;
                            int py = top + dy;
                            if (px >= 0 && py >= 0 && px < image.Width && py < image.Height)
                            {
                                image[px, py] = color;
                            }
                        }
                    }
                }
            }
        }
    }
}
