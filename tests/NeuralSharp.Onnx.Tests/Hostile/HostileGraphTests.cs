using Google.Protobuf;
using NeuralSharp.Onnx.Protos;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>Malformed protobuf and malformed graphs: each is refused at load with the documented exception, naming what is wrong and where.</summary>
public class HostileGraphTests
{
    private static readonly Dictionary<string, OnnxTensor> Weights = new()
    {
        ["w"] = OnnxTensor.FromArray(new float[12], 3, 4),
        ["b"] = OnnxTensor.FromArray(new float[3], 3),
    };

    /// <summary>A valid one-Gemm model: y = x w^T + b, x [N, 4].</summary>
    internal static ModelProto Valid() => Model(
        [Node("Gemm", ["x", "w", "b"], ["y"], Attr("transB", 1L))],
        [Input("x", OnnxElementType.Float, -1, 4)], [Output("y")], Weights);

    [Fact]
    public void ValidBaseModelLoadsAndRuns()
    {
        var model = OnnxModel.Load(Valid().ToByteArray(), Refusal.Source);
        Assert.Equal([2, 3], model.Run(OnnxTensor.FromArray(new float[8], 2, 4))[0].ShapeArray);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x3A, 0x05, 0x01 })] // graph (field 7) claims 5 bytes, 1 present
    [InlineData(new byte[] { 0x0F })] // wire type 7 does not exist
    [InlineData(new byte[] { (byte)'p', (byte)'k', 3, 4, 0, 0 })] // a zip file's magic
    public void MalformedProtobufIsAFormatError(byte[] bytes) =>
        Refusal.Load<OnnxFormatException>(bytes, null, "not a valid ONNX model", $"{bytes.Length} bytes");

    [Fact]
    public void EmptyOrGraphlessFileIsAFormatError()
    {
        Refusal.Load<OnnxFormatException>([], null, "no graph in 0 bytes");
        Refusal.Load<OnnxFormatException>(new ModelProto { IrVersion = 8 }.ToByteArray(), null, "no graph");
    }

    [Fact]
    public void FileTruncatedAtEveryOffsetIsAFormatError()
    {
        foreach (var bytes in new[] { Valid().ToByteArray(), SeedModels.InMemory().First().Model.ToByteArray() })
            for (int length = 0; length < bytes.Length; length++)
            {
                try { OnnxModel.Load(bytes[..length], Refusal.Source); }
                catch (OnnxFormatException) { continue; }
                Assert.Fail($"truncated to {length} of {bytes.Length} bytes: loaded");
            }
    }

    [Fact]
    public void TruncatedFilesOfOnnxTestDataAreFormatErrors()
    {
        foreach (var seed in SeedModels.FromTestData())
        {
            var bytes = seed.Model.ToByteArray();
            for (int length = 0; length < bytes.Length; length += 3)
                Refusal.Load<OnnxFormatException>(bytes[..length], null);
        }
    }

    /// <summary>
    /// Regression: Google.Protobuf 3.25.1 overflows its limit arithmetic on a length prefix near 2^31 and threw
    /// IndexOutOfRangeException out of OnnxModel.Load; now an OnnxFormatException.
    /// </summary>
    [Fact]
    public void LengthPrefixNear2GiBIsAFormatError()
    {
        byte[] valid = Valid().ToByteArray();
        // opset_import (field 8, length-delimited) claiming 2^31 - 1 bytes, followed by a few real ones.
        byte[] bytes = [.. valid, 0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x08, 0x01, 0x10];
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(bytes, Refusal.Source));
        Assert.Contains(Refusal.Source, e.Message);
        Assert.Contains("not a valid ONNX model", e.Message);
    }

    /// <summary>Regression: the same overflow inside an unknown field of a nested message threw ArgumentOutOfRangeException.</summary>
    [Fact]
    public void LengthPrefixNear2GiBInAnUnknownFieldIsAFormatError()
    {
        // ONNX's test_gemm_transposeA with a dimension's length set to 2^31 - 1 and 25 bytes cut (found by the mutation test).
        byte[] bytes = Convert.FromHexString(
            "0807120C6261636B656E642D746573743A8D010A210A01610A01620A0163120179220447656D6D2A0D0A067472616E73411801A0010212147465" +
            "73745F67656D6D5F7472616E73706F7365415A130A0161120E0A0C080112080A0208060A0208035A130A0162120E0A0C080112080AFFFFFFFF07" +
            "08060A0208045A130A0163120E0A0C080112080A0208010A020804620D");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(bytes, Refusal.Source));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("hostile.onnx: not a valid ONNX model (145 bytes)", e.Message);
    }

    [Fact]
    public void NestingBeyondTheRecursionLimitIsAFormatError()
    {
        // A node attribute holding a graph whose node holds a graph ... 120 levels deep (protobuf's limit is 100 messages).
        var model = Valid();
        var graph = new GraphProto { Name = "inner" };
        for (int depth = 0; depth < 40; depth++)
        {
            var node = new NodeProto { OpType = "If", Name = $"if{depth}" };
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = graph });
            graph = new GraphProto { Name = $"g{depth}", Node = { node } };
        }
        model.Graph.Node[0].Attribute.Add(new AttributeProto { Name = "deep", Type = AttributeProto.Types.AttributeType.Graph, G = graph });
        Refusal.Load<OnnxFormatException>(model, "not a valid ONNX model", "nesting");
    }

    [Fact]
    public void TwoNodeCycleIsAFormatErrorNamingANode()
    {
        var model = Model(
            [Node("MatMul", ["x", "b"], ["a"]), Node("MatMul", ["a", "w"], ["b"]), Node("MatMul", ["a", "w"], ["y"])],
            [Input("x", OnnxElementType.Float, 4, 4)], [Output("y")],
            new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray(new float[16], 4, 4) });
        Refusal.Load<OnnxFormatException>(model, "cycle", "node 'matmul_");
    }

    [Fact]
    public void SelfLoopIsAFormatErrorNamingTheNode()
    {
        var model = Model([Node("MatMul", ["x", "y"], ["y"])], [Input("x", OnnxElementType.Float, 4, 4)], [Output("y")]);
        Refusal.Load<OnnxFormatException>(model, "cycle through node 'matmul_y' (MatMul)");
    }

    [Fact]
    public void NodeReadingAnUndefinedValueIsAFormatError()
    {
        var model = Model([Node("Gemm", ["x", "ghost"], ["y"])], [Input("x", OnnxElementType.Float, 2, 4)], [Output("y")]);
        Refusal.Load<OnnxFormatException>(model, "node 'gemm_y' (Gemm) reads 'ghost'", "no node, initializer or graph input defines");
    }

    [Fact]
    public void ValueDefinedTwiceIsAFormatError()
    {
        // Two nodes write the same value.
        var twoNodes = Model(
            [Node("Gemm", ["x", "w"], ["y"], Attr("transB", 1L)), Node("Gemm", ["x", "w"], ["y"], Attr("transB", 1L))],
            [Input("x", OnnxElementType.Float, 2, 4)], [Output("y")], Weights);
        Refusal.Load<OnnxFormatException>(twoNodes, "value 'y' is defined more than once");
        // A node overwrites an initializer.
        var overInitializer = Model([Node("Gemm", ["x", "w"], ["b"], Attr("transB", 1L))], [Input("x", OnnxElementType.Float, 2, 4)], [Output("b")], Weights);
        Refusal.Load<OnnxFormatException>(overInitializer, "value 'b' is defined more than once", "node 'gemm_b' (Gemm)");
        // Two graph inputs of one name.
        var inputs = Model([Node("MatMul", ["x", "x"], ["y"])], [Input("x", OnnxElementType.Float, 2, 2), Input("x", OnnxElementType.Float, 2, 2)], [Output("y")]);
        Refusal.Load<OnnxFormatException>(inputs, "value 'x' is defined more than once (a graph input)");
        // One node listing the same output twice.
        var sameNode = Model([Node("MatMul", ["x", "x"], ["y", "y"])], [Input("x", OnnxElementType.Float, 2, 2)], [Output("y")]);
        Refusal.Load<OnnxFormatException>(sameNode, "value 'y' is defined more than once");
    }

    [Fact]
    public void GraphOutputNeverComputedIsAFormatError()
    {
        var model = Valid();
        model.Graph.Output.Add(new ValueInfoProto { Name = "nowhere" });
        Refusal.Load<OnnxFormatException>(model, "graph output 'nowhere' is not computed by any node");
    }

    /// <summary>Regression: a declared output type that differs from the computed one was reported by Outputs, and Run returned the other type.</summary>
    [Fact]
    public void GraphOutputDeclaredWithAnotherTypeIsAFormatError()
    {
        var model = Valid();
        model.Graph.Output[0].Type.TensorType.ElemType = (int)OnnxElementType.UInt8;
        Refusal.Load<OnnxFormatException>(model, "graph output 'y' is declared uint8, the graph computes float");
    }

    [Theory]
    [InlineData(19L)]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(long.MaxValue)]
    public void UnknownOpsetIsUnsupported(long version)
    {
        var model = Valid();
        model.OpsetImport[0].Version = version;
        Refusal.Load<OnnxUnsupportedException>(model, "unsupported opset", "ai.onnx");
    }

    [Fact]
    public void UnsupportedOperatorMessageIsExact()
    {
        var model = Model([Node("FrobnicateV2", ["x"], ["y"])], [Input("x", OnnxElementType.Float, 2)], [Output("y")], opset: 13);
        var e = Assert.Throws<OnnxUnsupportedException>(() => OnnxModel.Load(model.ToByteArray(), Refusal.Source));
        Assert.Equal("unsupported operator FrobnicateV2 (ai.onnx, opset 13)", e.Message);

        var custom = Model([Node("Attention", ["x"], ["y"])], [Input("x", OnnxElementType.Float, 2)], [Output("y")]);
        custom.Graph.Node[0].Domain = "com.microsoft";
        custom.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        e = Assert.Throws<OnnxUnsupportedException>(() => OnnxModel.Load(custom.ToByteArray(), Refusal.Source));
        Assert.Equal("unsupported operator Attention (com.microsoft, opset 1)", e.Message);
    }

    [Fact]
    public void NodeOfAnUnimportedDomainIsAFormatError()
    {
        var model = Valid();
        model.Graph.Node[0].Domain = "com.example";
        Refusal.Load<OnnxFormatException>(model, "node 'gemm_y' (Gemm) uses domain 'com.example', which the model does not import");
    }

    /// <summary>Regression: a model without an ai.onnx opset import loaded when fusion replaced all of its nodes.</summary>
    [Fact]
    public void FusedNodesStillNeedTheirDomainImported()
    {
        var model = Model([Node("Gemm", ["x", "w", "b"], ["z"], Attr("transB", 1L)), Node("Relu", ["z"], ["y"])],
            [Input("x", OnnxElementType.Float, -1, 4)], [Output("y")], Weights);
        Assert.Equal(1, OnnxModel.Load(model.ToByteArray(), Refusal.Source).StepCount);
        model.OpsetImport.Clear();
        Refusal.Load<OnnxFormatException>(model, "node 'gemm_z' (Gemm) uses domain '', which the model does not import");
    }

    /// <summary>Regression: a file could use NeuralSharp's internal fused ops directly; a rank-1 weight then threw IndexOutOfRangeException.</summary>
    [Fact]
    public void InternalDomainIsUnsupportedInFiles()
    {
        var model = Model([Node("FusedLinear", ["x", "w"], ["y"])], [Input("x", OnnxElementType.Float, 2, 3)], [Output("y")],
            new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray(new float[3], 3) });
        model.Graph.Node[0].Domain = "com.neuralsharp";
        Refusal.Load<OnnxUnsupportedException>(model, "unsupported operator FusedLinear (com.neuralsharp, opset 1)", "internal domain");
    }

    [Fact]
    public void UnsupportedDataTypesAreUnsupported()
    {
        // A complex64 initializer.
        var complexInit = Valid();
        complexInit.Graph.Initializer.Add(new TensorProto { Name = "z", DataType = (int)OnnxElementType.Complex64, Dims = { 1 }, FloatData = { 1, 2 } });
        Refusal.Load<OnnxUnsupportedException>(complexInit, "tensor 'z' has unsupported data type complex64");
        // A complex128 graph input.
        var complexInput = Model([Node("MatMul", ["x", "x"], ["y"])], [Input("x", OnnxElementType.Complex128, 2, 2)], [Output("y")]);
        Refusal.Load<OnnxUnsupportedException>(complexInput, "graph input 'x' has unsupported data type complex128");
        // An operator on a type it does not implement.
        var intGemm = Model([Node("Gemm", ["x", "x"], ["y"])], [Input("x", OnnxElementType.Int32, 2, 2)], [Output("y", OnnxElementType.Int32)]);
        Refusal.Load<OnnxUnsupportedException>(intGemm, "Gemm node 'gemm_y'", "unsupported data type int32 for input 0");
        // A sequence input.
        var sequence = Valid();
        sequence.Graph.Input[0].Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence() };
        Refusal.Load<OnnxUnsupportedException>(sequence, "graph input 'x' is not a tensor");
    }

    [Fact]
    public void GraphInputWithoutTypeOrWithABadElementTypeIsAFormatError()
    {
        var untyped = Valid();
        untyped.Graph.Input[0].Type = null;
        Refusal.Load<OnnxFormatException>(untyped, "graph input 'x' has no type");
        var badType = Valid();
        badType.Graph.Input[0].Type.TensorType.ElemType = 99;
        Refusal.Load<OnnxFormatException>(badType, "graph input 'x' has data type 99, which is not an ONNX data type");
        var negativeDim = Valid();
        negativeDim.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue = -4;
        Refusal.Load<OnnxFormatException>(negativeDim, "graph input 'x' has dimension 1 = -4");
    }

    [Fact]
    public void NodeErrorsNameTheFileAndTheNode()
    {
        var model = Model([Node("Gemm", ["x"], ["y"])], [Input("x", OnnxElementType.Float, 2, 4)], [Output("y")]);
        Refusal.Load<OnnxFormatException>(model, "Gemm node 'gemm_y'", "has 1 inputs, expected 2 to 3");
        var attr = Valid();
        attr.Graph.Node[0].Attribute[0].Type = AttributeProto.Types.AttributeType.Graph;
        Refusal.Load<OnnxFormatException>(attr, "Gemm node 'gemm_y'", "attribute 'transB' is Graph, expected Int");
    }

    [Fact]
    public void HugeDeclaredCountsInTinyFilesAllocateLittle()
    {
        // A packed float_data field whose length prefix claims 1 GiB, in a file of a few hundred bytes.
        var model = Valid();
        model.Graph.Initializer.Add(new TensorProto { Name = "big", DataType = (int)OnnxElementType.Float, Dims = { 1 << 28 }, FloatData = { 1f } });
        byte[] bytes = model.ToByteArray();
        int at = IndexOf(bytes, [0x22, 0x04, 0x00, 0x00, 0x80, 0x3F]); // float_data (field 4, packed) = [1f]
        Assert.True(at >= 0);
        byte[] claim = [.. bytes[..at], 0x22, 0x80, 0x80, 0x80, 0x80, 0x04, .. bytes[(at + 2)..]];
        Refusal.Load<OnnxFormatException>(claim, null, "not a valid ONNX model");
        // The same tensor well-formed: 2^28 elements declared, one present.
        Refusal.Load<OnnxFormatException>(model, "tensor 'big' of type float and shape [268435456] needs 268435456 values, it has 1");
        // Many dims of 1 then a huge one: the declared dims alone exceed what an array can hold.
        var dims = Valid();
        dims.Graph.Initializer.Add(new TensorProto { Name = "dims", DataType = (int)OnnxElementType.Float, Dims = { 1, int.MaxValue, int.MaxValue, int.MaxValue }, RawData = ByteString.CopyFrom(0, 0, 0, 0) });
        Refusal.Load<OnnxFormatException>(dims, "tensor 'dims'", "have more elements than an array can hold");
    }

    /// <summary>A constant with a zero dimension holds no data, yet a product of it can be huge: refused by <see cref="OnnxModelOptions.MaxTensorElements"/>.</summary>
    [Fact]
    public void ComputedValueAboveTheElementLimitIsAFormatError()
    {
        var model = Model([Node("Gemm", ["a", "b"], ["y"])], [], [Output("y")],
            new Dictionary<string, OnnxTensor>
            {
                ["a"] = OnnxTensor.FromArray(Array.Empty<float>(), 1 << 30, 0),
                ["b"] = OnnxTensor.FromArray(Array.Empty<float>(), 0, 1 << 20),
            });
        Refusal.Load<OnnxFormatException>(model, "node 'gemm_y'", "output 0 would have shape [1073741824, 1048576]", "OnnxModelOptions.MaxTensorElements");
        // Below the limit a zero-sized product is fine; with a lower limit a small one is refused.
        var small = Model([Node("MatMul", ["x", "w"], ["y"])], [Input("x", OnnxElementType.Float, 64, 4)], [Output("y")],
            new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray(new float[4 * 64], 4, 64) });
        Assert.Equal(1, OnnxModel.Load(small.ToByteArray(), Refusal.Source).StepCount);
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(small.ToByteArray(), Refusal.Source, null, new OnnxModelOptions { MaxTensorElements = 1000 }));
        Assert.Contains("[64, 64] (4096 elements), above the limit of 1000", e.Message);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }
}
