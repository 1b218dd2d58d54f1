using NeuralSharp.Tests.Autograd;

namespace NeuralSharp.Tests.NnAttention;

/// <summary>ScaledDotProductAttention and MaskedFill: finite differences, mask semantics, fully masked rows, bad arguments.</summary>
public class AttentionOpTests
{
    private static Tensor Mask(int b, int t, params int[] padded) // padded: flat indices b*t + j set to 0
    {
        var m = Tensor.Ones(b, t);
        foreach (int i in padded) m.Data[i] = 0f;
        return m;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void GradientsMatchFiniteDifferences4D(bool causal, bool padding)
    {
        var mask = padding ? Mask(2, 4, 2, 4 + 3) : null;
        GradCheck.Check(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], mask, causal),
            [GradCheck.Random(1, 2, 2, 4, 3), GradCheck.Random(2, 2, 2, 4, 3), GradCheck.Random(3, 2, 2, 4, 2)]);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences3DWithDifferentKeyLength()
    {
        var mask = Mask(2, 5, 1, 5 + 4);
        GradCheck.Check(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], mask, causal: true),
            [GradCheck.Random(4, 2, 3, 4), GradCheck.Random(5, 2, 5, 4), GradCheck.Random(6, 2, 5, 3)]);
    }

    [Fact]
    public void FullyMaskedRowsGiveZerosAndZeroGradientsNotNaN()
    {
        // Batch 1 has every key padded: all its rows are dead. With causal and key 0 padded in batch 0, row 0 of batch 0 is dead too.
        var mask = Mask(2, 3, 0, 3, 4, 5);
        var q = GradCheck.Random(1, 2, 2, 3, 4).RequireGrad();
        var k = GradCheck.Random(2, 2, 2, 3, 4).RequireGrad();
        var v = GradCheck.Random(3, 2, 2, 3, 4).RequireGrad();
        var y = Functional.ScaledDotProductAttention(q, k, v, mask, causal: true);
        foreach (float f in y.Data) Assert.True(float.IsFinite(f));
        for (int h = 0; h < 2; h++)
        {
            Assert.All(y.Data.Slice((0 * 2 + h) * 12, 4).ToArray(), f => Assert.Equal(0f, f)); // batch 0, row 0
            Assert.All(y.Data.Slice((1 * 2 + h) * 12, 12).ToArray(), f => Assert.Equal(0f, f)); // batch 1
            Assert.Contains(y.Data.Slice((0 * 2 + h) * 12 + 4, 8).ToArray(), f => f != 0f); // live rows are not zeroed
        }
        Functional.Sum(y).Backward();
        foreach (var t in new[] { q, k, v }) foreach (float g in t.Grad!.Data) Assert.True(float.IsFinite(g));
        Assert.All(q.Grad!.Data.Slice(24, 24).ToArray(), g => Assert.Equal(0f, g));
        // And finite differences agree (the zero rows are constant).
        GradCheck.Check(t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], mask, causal: true),
            [GradCheck.Random(1, 2, 2, 3, 4), GradCheck.Random(2, 2, 2, 3, 4), GradCheck.Random(3, 2, 2, 3, 4)]);
    }

    [Fact]
    public void MaskedKeysAndFuturePositionsDoNotInfluenceTheOutput()
    {
        var q = GradCheck.Random(1, 1, 2, 5, 3);
        var k = GradCheck.Random(2, 1, 2, 5, 3);
        var v = GradCheck.Random(3, 1, 2, 5, 3);
        var mask = Mask(1, 5, 1);
        var y = Functional.ScaledDotProductAttention(q, k, v, mask, causal: true).ToArray();
        // Changing key/value 1 (padded) changes nothing; changing key/value 3 changes only rows 3 and 4.
        for (int h = 0; h < 2; h++)
            for (int c = 0; c < 3; c++)
            {
                k.Data[(h * 5 + 1) * 3 + c] += 5f; v.Data[(h * 5 + 1) * 3 + c] -= 3f;
                k.Data[(h * 5 + 3) * 3 + c] += 5f; v.Data[(h * 5 + 3) * 3 + c] -= 3f;
            }
        var y2 = Functional.ScaledDotProductAttention(q, k, v, mask, causal: true).ToArray();
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < 5; i++)
                for (int c = 0; c < 3; c++)
                {
                    int e = (h * 5 + i) * 3 + c;
                    if (i < 3) Assert.Equal(y[e], y2[e]);
                    else Assert.NotEqual(y[e], y2[e]);
                }
    }

    [Fact]
    public void UnmaskedMatchesAnExplicitDoubleReference()
    {
        var q = GradCheck.Random(1, 2, 3, 4);
        var k = GradCheck.Random(2, 2, 5, 4);
        var v = GradCheck.Random(3, 2, 5, 2);
        var y = Functional.ScaledDotProductAttention(q, k, v);
        Assert.Equal([2, 3, 2], y.ShapeArray);
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < 3; i++)
            {
                var s = new double[5];
                for (int j = 0; j < 5; j++)
                {
                    for (int d = 0; d < 4; d++) s[j] += (double)q.Data[(b * 3 + i) * 4 + d] * k.Data[(b * 5 + j) * 4 + d];
                    s[j] /= 2.0;
                }
                double max = s.Max(), sum = s.Sum(x => Math.Exp(x - max));
                for (int c = 0; c < 2; c++)
                {
                    double o = 0;
                    for (int j = 0; j < 5; j++) o += Math.Exp(s[j] - max) / sum * v.Data[(b * 5 + j) * 2 + c];
                    Assert.Equal(o, y.Data[(b * 3 + i) * 2 + c], 1e-5);
                }
            }
    }

    [Fact]
    public void DropoutOnTheWeightsIsSeededAndScaled()
    {
        var q = GradCheck.Random(1, 1, 1, 6, 4);
        var k = GradCheck.Random(2, 1, 1, 6, 4);
        var v = GradCheck.Random(3, 1, 1, 6, 4);
        var a = Functional.ScaledDotProductAttention(q, k, v, dropout: 0.5f, random: new RandomSource(9)).ToArray();
        var b = Functional.ScaledDotProductAttention(q, k, v, dropout: 0.5f, random: new RandomSource(9)).ToArray();
        var plain = Functional.ScaledDotProductAttention(q, k, v).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(plain, a);
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.ScaledDotProductAttention(q, k, v, dropout: 1f));
    }

    [Fact]
    public void WrongMaskShapeNamesTheArgumentAndBothShapes()
    {
        var q = Tensor.Zeros(2, 2, 3, 4);
        var ex = Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, q, q, Tensor.Ones(2, 4)));
        Assert.Equal("keyPaddingMask", ex.ParamName);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, q, q, Tensor.Ones(2, 1, 3)));
        Assert.Equal("keyPaddingMask", ex.ParamName);
        Assert.Contains("[2, 1, 3]", ex.Message);
        var notBoolean = Tensor.Ones(2, 3);
        notBoolean.Data[4] = 0.5f;
        ex = Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, q, q, notBoolean));
        Assert.Equal("keyPaddingMask", ex.ParamName);
        Assert.Contains("0.5", ex.Message);
    }

    [Fact]
    public void MismatchedQkvShapesAreRejected()
    {
        var q = Tensor.Zeros(2, 3, 4);
        Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, Tensor.Zeros(2, 3, 5), q));
        Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, q, Tensor.Zeros(2, 4, 4)));
        Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, q, Tensor.Zeros(1, 2, 3, 4)));
        Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(Tensor.Zeros(3, 4), Tensor.Zeros(3, 4), Tensor.Zeros(3, 4)));
    }

    [Fact]
    public void MaskedFillBroadcastsAndPassesGradientOnlyWhereKept()
    {
        var mask = Tensor.FromArray([1f, 0f, 0f, 1f], 1, 4); // broadcast over [2, 3, 4] rows
        var x = GradCheck.Random(1, 2, 3, 4);
        var y = Functional.MaskedFill(x, mask, -7f);
        for (int i = 0; i < 24; i++) Assert.Equal(i % 4 is 0 or 3 ? -7f : x.Data[i], y.Data[i]);
        GradCheck.Check(t => Functional.MaskedFill(t[0], mask, -7f), [GradCheck.Random(1, 2, 3, 4)]);
        var col = Tensor.FromArray([0f, 1f, 0f], 3, 1);
        GradCheck.Check(t => Functional.MaskedFill(t[0], col, 0f), [GradCheck.Random(2, 2, 3, 4)]);
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaskedFill(x, Tensor.Ones(2, 4), 0f));
        Assert.Equal("mask", ex.ParamName);
        Assert.Contains("[2, 3, 4]", ex.Message);
    }
}
