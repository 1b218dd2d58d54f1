namespace NeuralSharp.Tests.Fixtures;

public sealed class FixtureLoaderTests
{
    public static TheoryData<string> AllCases() => new(Fixture.Cases(""));

    [Fact]
    public void FindsAllCaseFamilies()
    {
        Assert.True(Fixture.Cases("").Count() >= 50);
        Assert.Equal(8, Fixture.Cases("optim_").Count());
        Assert.Equal(6, Fixture.Cases("cross_entropy_").Count());
    }

    [Fact]
    public void LoadsLinear()
    {
        Fixture f = Fixture.Load("linear");
        Assert.Equal("linear", f.Op);
        Assert.Equal([4, 5], f.Shape("x"));
        Assert.Equal([3, 5], f.Shape("weight"));
        Assert.Equal([4, 3], f.Shape("y"));
        Assert.True(f.Has("grad_bias"));
        Assert.False(f.Has("grad_nothing"));
    }

    [Fact]
    public void ReadsAttributesAndInts()
    {
        Fixture f = Fixture.Load("cross_entropy_weight_label_smoothing");
        Assert.Equal(0.2, f.Attr("label_smoothing"), 12);
        Assert.Equal(-100, f.Attr("ignore_index"));
        Assert.Equal("mean", f.AttrString("reduction"));
        Assert.Equal(6, f.Ints("target").Length);
        Assert.Empty(f.Shape("loss"));
        Assert.Single(f.Floats("loss"));

        Fixture sgd = Fixture.Load("optim_sgd_nesterov_wd");
        Assert.Equal(1.0, sgd.Attr("nesterov"));
        Assert.Equal(0.9, sgd.Attr("momentum"), 12);
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void ShapesMatchDataLengths(string caseName)
    {
        Fixture f = Fixture.Load(caseName);
        Assert.Equal(caseName, f.Case);
        Assert.False(string.IsNullOrEmpty(f.Op));
        Assert.NotEmpty(f.TensorNames);
        foreach (string name in f.TensorNames)
        {
            int[] shape = f.Shape(name);
            int count = shape.Aggregate(1, (a, d) => a * d);
            int length = f.DType(name) == "int64" ? f.Ints(name).Length : f.Floats(name).Length;
            Assert.True(count == length, $"{caseName}.{name}: shape product {count} != data length {length}");
            if (f.DType(name) != "int64")
                Assert.All(f.Floats(name), v => Assert.True(float.IsFinite(v), $"{caseName}.{name}"));
        }
    }
}
