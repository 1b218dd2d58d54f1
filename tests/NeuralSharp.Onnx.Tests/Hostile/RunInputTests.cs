using Google.Protobuf;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>Run with inputs that do not match the declaration: ArgumentException naming the input and both shapes or types.</summary>
public class RunInputTests
{
    private static readonly OnnxModel Model = OnnxModel.Load(HostileGraphTests.Valid().ToByteArray(), Refusal.Source);

    [Fact]
    public void WrongInputCountNamesTheInputs()
    {
        var e = Refusal.Throws<ArgumentException>(() => Model.Run());
        Assert.Contains("the model has 1 inputs (x), 0 were given", e.Message);
        e = Refusal.Throws<ArgumentException>(() => Model.Run(OnnxTensor.FromArray(new float[4], 1, 4), OnnxTensor.FromArray(new float[4], 1, 4)));
        Assert.Contains("2 were given", e.Message);
    }

    [Fact]
    public void WrongTypeNamesTheInputAndBothTypes()
    {
        var e = Refusal.Throws<ArgumentException>(() => Model.Run(OnnxTensor.FromArray(new long[4], 1, 4)));
        Assert.Contains("input 'x' must be float, got int64", e.Message);
    }

    [Theory]
    [InlineData(new[] { 2, 5 })]
    [InlineData(new[] { 4 })]
    [InlineData(new[] { 1, 2, 4 })]
    public void WrongShapeNamesTheInputAndBothShapes(int[] shape)
    {
        var e = Refusal.Throws<ArgumentException>(() => Model.Run(OnnxTensor.Zeros(OnnxElementType.Float, shape)));
        Assert.Contains($"input 'x' has shape [{string.Join(", ", shape)}], the model expects x: float[N, 4]", e.Message);
    }

    [Fact]
    public void NullAndNamedInputsAreChecked()
    {
        Refusal.Throws<ArgumentNullException>(() => Model.Run((OnnxTensor[])null!));
        var e = Refusal.Throws<ArgumentNullException>(() => Model.Run([null!]));
        Assert.Contains("input 'x' is null", e.Message);
        var missing = Refusal.Throws<ArgumentException>(() => Model.Run(new Dictionary<string, OnnxTensor>()));
        Assert.Contains("input 'x' is missing", missing.Message);
        var unknown = Refusal.Throws<ArgumentException>(() => Model.Run(new Dictionary<string, OnnxTensor> { ["z"] = OnnxTensor.Zeros(OnnxElementType.Float, 1, 4) }));
        Assert.Contains("the model has no input 'z' (inputs: x)", unknown.Message);
    }

    [Fact]
    public void ShapeErrorInsideTheGraphNamesTheNode()
    {
        // x is declared without a shape, so a wrong shape reaches the Gemm node.
        var proto = HostileGraphTests.Valid();
        proto.Graph.Input[0].Type.TensorType.Shape = null;
        var model = OnnxModel.Load(proto.ToByteArray(), Refusal.Source);
        var e = Refusal.Throws<ArgumentException>(() => model.Run(OnnxTensor.Zeros(OnnxElementType.Float, 2, 5)));
        Assert.Contains("node 'gemm_y'", e.Message);
        Assert.Contains("[2, 5]", e.Message);
    }
}
