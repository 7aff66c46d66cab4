using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

public sealed class CifarParquetWriterTests
{
    [Fact]
    public void ADatasetWrittenAndReadBackIsIdentical()
    {
        var rng = new TestRandom();
        const int rows = 23;
        var images = new float[rows * CifarDataset.ImageFloats];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = rng.Next(0, 256) / 255f;
        }

        var labels = rng.Ints(rows, CifarDataset.ClassCount);
        string dir = TestParquet.NewTempDirectory();
        try
        {
            string path = Path.Combine(dir, DataLocator.TrainFileName);
            CifarParquetWriter.Write(path, new CifarDataset(images, labels, "synthetic"), rowsPerGroup: 10);
            var back = CifarParquetReader.Read(path);
            Assert.Equal(labels, back.Labels);
            Assert.Equal(images, back.Images);
            Assert.Equal([path], Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
