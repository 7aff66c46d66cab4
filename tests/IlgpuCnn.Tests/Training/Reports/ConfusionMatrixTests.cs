using IlgpuCnn.Training.Reports;

namespace IlgpuCnn.Tests.Training.Reports;

public sealed class ConfusionMatrixTests
{
    [Fact]
    public void CountsAndNormalisesByPredictedClass()
    {
        var m = ConfusionMatrix.From([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 1], 3);
        Assert.Equal(6, m.Total);
        Assert.Equal(2, m[1, 1]);
        Assert.Equal(3, m.RowSum(1));
        Assert.Equal(4, m.ColumnSum(1));

        var norm = m.NormalizedByPredicted();
        Assert.Equal(0.5, norm[0, 0]);
        Assert.Equal(0.5, norm[1, 0]);
        Assert.Equal(0.25, norm[0, 1]);
        Assert.Equal(0.5, norm[1, 1]);
        Assert.Equal(0.25, norm[2, 1]);
        Assert.Equal(0.0, norm[2, 2]); // never predicted: a zero column, as sklearn's nan_to_num gives
        for (int j = 0; j < 2; j++)
        {
            Assert.Equal(1.0, norm[0, j] + norm[1, j] + norm[2, j], 12);
        }
    }

    [Fact]
    public void RejectsLabelsOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.From([0, 3], [0, 1], 3));
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.From([0, 1], [0], 3));
    }
}
