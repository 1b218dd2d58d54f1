using NeuralSharp.Onnx.Protos;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Ops;

/// <summary>
/// The data-movement ops against index-by-index references on random shapes (including empty and size-1
/// dimensions), for every width of element and for strings.
/// </summary>
public class ShapeDataMovementTests
{
    private static ValueInfoProto Inferred(string name) => new() { Name = name };

    private static OnnxTensor Longs(params long[] values) => OnnxTensor.FromArray(values, values.Length);

    private static int[] Unravel(long flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            index[i] = (int)(flat % shape[i]);
            flat /= shape[i];
        }
        return index;
    }

    private static long Ravel(int[] index, int[] shape)
    {
        long flat = 0;
        for (int i = 0; i < shape.Length; i++) flat = flat * shape[i] + index[i];
        return flat;
    }

    private static int[] RandomShape(Random r, int rank) => Enumerable.Range(0, rank).Select(_ => r.Next(0, 5)).ToArray();

    private static float[] Values(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)Math.Round(r.NextDouble() * 20 - 10, 1)).ToArray();
    }

    /// <summary>The same values as a tensor of <paramref name="type"/> (each width and strings).</summary>
    private static OnnxTensor As(OnnxElementType type, float[] values, int[] shape) => type switch
    {
        OnnxElementType.Float => OnnxTensor.FromArray(values, shape),
        OnnxElementType.Double => OnnxTensor.FromArray(values.Select(v => (double)v).ToArray(), shape),
        OnnxElementType.Float16 => OnnxTensor.FromArray(values.Select(v => (Half)v).ToArray(), shape),
        OnnxElementType.Int8 => OnnxTensor.FromArray(values.Select(v => (sbyte)v).ToArray(), shape),
        OnnxElementType.Bool => OnnxTensor.FromArray(values.Select(v => v > 0).ToArray(), shape),
        OnnxElementType.Int64 => OnnxTensor.FromArray(values.Select(v => (long)(v * 10)).ToArray(), shape),
        OnnxElementType.String => OnnxTensor.FromArray(values.Select(v => v.ToString("R")).ToArray(), shape),
        _ => throw new ArgumentException(type.ToString()),
    };

    private static object[] Boxed(OnnxTensor t) => t.ElementType switch
    {
        OnnxElementType.Float => t.ToArray<float>().Cast<object>().ToArray(),
        OnnxElementType.Double => t.ToArray<double>().Cast<object>().ToArray(),
        OnnxElementType.Float16 => t.ToArray<Half>().Cast<object>().ToArray(),
        OnnxElementType.Int8 => t.ToArray<sbyte>().Cast<object>().ToArray(),
        OnnxElementType.Bool => t.ToArray<bool>().Cast<object>().ToArray(),
        OnnxElementType.Int64 => t.ToArray<long>().Cast<object>().ToArray(),
        OnnxElementType.String => t.ToArray<string>().Cast<object>().ToArray(),
        _ => throw new ArgumentException(t.ToString()),
    };

    public static TheoryData<OnnxElementType> Types => new()
    {
        OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Float16, OnnxElementType.Int8,
        OnnxElementType.Bool, OnnxElementType.Int64, OnnxElementType.String,
    };

    private static OnnxModel OneNode(string op, string[] inputs, ValueInfoProto[] graphInputs, Dictionary<string, OnnxTensor>? inits = null,
        int opset = 17, string[]? outputs = null, params AttributeProto[] attributes)
    {
        outputs ??= ["y"];
        return Load(Model([Node(op, inputs, outputs, attributes)], graphInputs, outputs.Select(Inferred), inits, opset));
    }

    private static ValueInfoProto In(string name, OnnxTensor t) => Input(name, t.ElementType, t.ShapeArray);

    [Theory]
    [MemberData(nameof(Types))]
    public void TransposeMatchesReference(OnnxElementType type)
    {
        var r = new Random(1234);
        for (int trial = 0; trial < 40; trial++)
        {
            int rank = trial % 5;
            var shape = RandomShape(r, rank);
            var perm = Enumerable.Range(0, rank).OrderBy(_ => r.Next()).Select(p => (long)p).ToArray();
            var x = As(type, Values((int)OnnxTensor.ElementCount(shape), trial), shape);
            var y = Load(Model([Node("Transpose", ["x"], ["y"], Attr("perm", perm))], [In("x", x)], [Inferred("y")])).Run(x)[0];
            var outShape = perm.Select(p => shape[p]).ToArray();
            Assert.Equal(outShape, y.ShapeArray);
            var xs = Boxed(x); var ys = Boxed(y);
            for (long i = 0; i < ys.Length; i++)
            {
                var o = Unravel(i, outShape);
                var src = new int[rank];
                for (int k = 0; k < rank; k++) src[perm[k]] = o[k];
                Assert.Equal(xs[Ravel(src, shape)], ys[i]);
            }
        }
    }

    [Theory]
    [InlineData(new[] { 37, 70 }, new long[] { 1, 0 })]
    [InlineData(new[] { 3, 33, 65 }, new long[] { 0, 2, 1 })]
    [InlineData(new[] { 3, 33, 65 }, new long[] { 2, 0, 1 })]
    [InlineData(new[] { 2, 17, 1, 19, 5 }, new long[] { 3, 2, 0, 4, 1 })]
    [InlineData(new[] { 2, 5, 4, 8 }, new long[] { 0, 2, 1, 3 })]
    [InlineData(new[] { 1, 1, 40 }, new long[] { 2, 1, 0 })]
    [InlineData(new[] { 181, 190 }, new long[] { 1, 0 })] // planes above the tiling threshold, with ragged tiles
    [InlineData(new[] { 2, 170, 3, 203 }, new long[] { 2, 0, 3, 1 })]
    public void TransposeOfLargerShapesMatchesReference(int[] shape, long[] perm)
    {
        var x = As(OnnxElementType.Float, Values((int)OnnxTensor.ElementCount(shape), 7), shape);
        var y = Onnx.Ops.ShapeOps.Transpose(x, perm);
        var outShape = perm.Select(p => shape[p]).ToArray();
        Assert.Equal(outShape, y.ShapeArray);
        var xs = x.ToArray<float>(); var ys = y.ToArray<float>();
        for (long i = 0; i < ys.Length; i++)
        {
            var o = Unravel(i, outShape);
            var src = new int[shape.Length];
            for (int k = 0; k < shape.Length; k++) src[perm[k]] = o[k];
            Assert.Equal(xs[Ravel(src, shape)], ys[i]);
        }
    }

    [Fact]
    public void TransposeDefaultReversesAndAUnitAxisMoveIsAView()
    {
        var x = OnnxTensor.FromArray(Enumerable.Range(0, 6).Select(v => (float)v).ToArray(), 2, 3);
        var model = OneNode("Transpose", ["x"], [Input("x", OnnxElementType.Float, -1, 3)]);
        Assert.Equal(new[] { 3, -1 }, model.Outputs[0].Shape);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, model.Run(x)[0].ToArray<float>());
        var view = Onnx.Ops.ShapeOps.Transpose(x.Reshaped([2, 1, 3]), [1, 0, 2]);
        Assert.Same(x.Data, view.Data);
        Assert.Equal(new[] { 1, 2, 3 }, view.ShapeArray);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void SliceMatchesReference(OnnxElementType type)
    {
        var r = new Random(1234);
        for (int trial = 0; trial < 40; trial++)
        {
            int rank = 1 + trial % 3;
            var shape = RandomShape(r, rank);
            var x = As(type, Values((int)OnnxTensor.ElementCount(shape), trial), shape);
            int n = r.Next(1, rank + 1);
            var axes = Enumerable.Range(0, rank).OrderBy(_ => r.Next()).Take(n).Select(a => (long)(r.Next(2) == 0 ? a : a - rank)).ToArray();
            var starts = axes.Select(_ => (long)r.Next(-6, 7)).ToArray();
            var ends = axes.Select(_ => r.Next(4) == 0 ? (r.Next(2) == 0 ? long.MaxValue : long.MinValue) : r.Next(-6, 7)).ToArray();
            var steps = axes.Select(_ => (long)(r.Next(2) == 0 ? r.Next(1, 4) : -r.Next(1, 4))).ToArray();
            var inits = new Dictionary<string, OnnxTensor> { ["s"] = Longs(starts), ["e"] = Longs(ends), ["a"] = Longs(axes), ["t"] = Longs(steps) };
            var model = OneNode("Slice", ["x", "s", "e", "a", "t"], [In("x", x)], inits, 13);
            var y = model.Run(x)[0];

            // Reference: per axis, the list of source indices numpy's slice would take.
            var picks = shape.Select(d => Enumerable.Range(0, d).ToArray()).ToArray();
            for (int i = 0; i < axes.Length; i++)
            {
                int a = (int)(axes[i] < 0 ? axes[i] + rank : axes[i]);
                picks[a] = OnnxSlice(shape[a], starts[i], ends[i], steps[i]);
            }
            var outShape = picks.Select(p => p.Length).ToArray();
            if (!outShape.SequenceEqual(y.ShapeArray))
                Assert.Fail($"{TextOf(shape)} starts {TextOf(starts)} ends {TextOf(ends)} axes {TextOf(axes)} steps {TextOf(steps)}: {TextOf(y.ShapeArray)} vs {TextOf(outShape)}");
            Assert.Equal(outShape, model.Outputs[0].Shape);
            var xs = Boxed(x); var ys = Boxed(y);
            for (long i = 0; i < ys.Length; i++)
            {
                var o = Unravel(i, outShape);
                Assert.Equal(xs[Ravel(o.Select((v, k) => picks[k][v]).ToArray(), shape)], ys[i]);
            }
        }
    }

    private static string TextOf<T>(IEnumerable<T> values) => $"[{string.Join(", ", values)}]";

    /// <summary>
    /// The indices start:end:step takes per the ONNX spec: negative values count from the back, then start is clamped
    /// to [0, d] (step &gt; 0) or [0, d - 1] (step &lt; 0) and end to [0, d] or [-1, d - 1]. (This differs from Python
    /// only for a start still negative after adding d with a negative step: ONNX clamps it to 0, Python to empty.)
    /// </summary>
    private static int[] OnnxSlice(int d, long start, long end, long step)
    {
        if (d == 0) return [];
        long Adjust(long v, bool isStart)
        {
            if (v < 0) v += d;
            if (step > 0) return Math.Clamp(v, 0, d);
            return isStart ? Math.Clamp(v, 0, d - 1) : Math.Clamp(v, -1, d - 1);
        }
        long s = Adjust(start, true), e = Adjust(end, false);
        var result = new List<int>();
        for (long i = s; step > 0 ? i < e : i > e; i += step) result.Add((int)i);
        return result.ToArray();
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void GatherMatchesReference(OnnxElementType type)
    {
        var r = new Random(1234);
        for (int trial = 0; trial < 30; trial++)
        {
            int rank = 1 + trial % 3;
            var shape = RandomShape(r, rank);
            int axis = r.Next(rank);
            if (shape[axis] == 0) shape[axis] = 2;
            var x = As(type, Values((int)OnnxTensor.ElementCount(shape), trial), shape);
            var indexShape = RandomShape(r, r.Next(0, 3));
            var idx = Enumerable.Range(0, (int)OnnxTensor.ElementCount(indexShape)).Select(_ => (long)r.Next(-shape[axis], shape[axis])).ToArray();
            var indices = OnnxTensor.FromArray(idx, indexShape);
            var model = OneNode("Gather", ["x", "i"], [In("x", x), In("i", indices)], attributes: Attr("axis", (long)(axis - (trial % 2) * rank)));
            var y = model.Run(x, indices)[0];
            int[] outShape = [.. shape[..axis], .. indexShape, .. shape[(axis + 1)..]];
            Assert.Equal(outShape, y.ShapeArray);
            Assert.Equal(outShape, model.Outputs[0].Shape);
            var xs = Boxed(x); var ys = Boxed(y);
            for (long i = 0; i < ys.Length; i++)
            {
                var o = Unravel(i, outShape);
                var j = Ravel(o[axis..(axis + indexShape.Length)], indexShape);
                int src = (int)(idx[j] < 0 ? idx[j] + shape[axis] : idx[j]);
                int[] s = [.. o[..axis], src, .. o[(axis + indexShape.Length)..]];
                Assert.Equal(xs[Ravel(s, shape)], ys[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void ConcatAndSplitRoundTrip(OnnxElementType type)
    {
        var r = new Random(1234);
        for (int trial = 0; trial < 20; trial++)
        {
            int rank = 1 + trial % 3;
            var shape = RandomShape(r, rank);
            int axis = r.Next(rank);
            var sizes = Enumerable.Range(0, 3).Select(_ => (long)r.Next(0, 4)).ToArray();
            var parts = sizes.Select((s, i) =>
            {
                var ps = (int[])shape.Clone();
                ps[axis] = (int)s;
                return As(type, Values((int)OnnxTensor.ElementCount(ps), 10 * trial + i), ps);
            }).ToArray();
            var concat = Load(Model([Node("Concat", ["a", "b", "c"], ["y"], Attr("axis", (long)axis))],
                [In("a", parts[0]), In("b", parts[1]), In("c", parts[2])], [Inferred("y")]));
            var y = concat.Run(parts)[0];
            var full = (int[])shape.Clone();
            full[axis] = (int)sizes.Sum();
            Assert.Equal(full, y.ShapeArray);
            Assert.Equal(full, concat.Outputs[0].Shape);
            // Reference: element at index o of y comes from the part whose range on axis holds o[axis].
            var ys = Boxed(y);
            var boxedParts = parts.Select(Boxed).ToArray();
            for (long i = 0; i < ys.Length; i++)
            {
                var o = Unravel(i, full);
                int p = 0;
                while (o[axis] >= parts[p].Shape[axis]) { o[axis] -= parts[p].Shape[axis]; p++; }
                Assert.Equal(boxedParts[p][Ravel(o, parts[p].ShapeArray)], ys[i]);
            }
            var split = OneNode("Split", ["x", "s"], [In("x", y)], new() { ["s"] = Longs(sizes) }, 13, ["a", "b", "c"], Attr("axis", (long)axis));
            var back = split.Run(y);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(parts[i].ShapeArray, back[i].ShapeArray);
                Assert.Equal(Boxed(parts[i]), Boxed(back[i]));
            }
        }
    }

    [Fact]
    public void ConcatInfersFromPartiallyKnownShapesAndRejectsMismatches()
    {
        var model = Load(Model([Node("Concat", ["a", "b"], ["y"], Attr("axis", -1L))],
            [Input("a", OnnxElementType.Float, -1, 2), Input("b", OnnxElementType.Float, 3, 4)], [Inferred("y")]));
        Assert.Equal(new[] { 3, 6 }, model.Outputs[0].Shape);
        var e = Assert.Throws<ArgumentException>(() => model.Run(OnnxTensor.Zeros(OnnxElementType.Float, 2, 2), OnnxTensor.Zeros(OnnxElementType.Float, 3, 4)));
        Assert.Contains("Concat", e.Message);
        Assert.Contains("[2, 2], [3, 4]", e.Message);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void ExpandAndTileMatchReference(OnnxElementType type)
    {
        var x = As(type, Values(6, 1), [2, 1, 3]);
        var tile = OneNode("Tile", ["x", "r"], [In("x", x)], new() { ["r"] = Longs(2, 3, 1) });
        Assert.Equal(new[] { 4, 3, 3 }, tile.Outputs[0].Shape);
        var expand = OneNode("Expand", ["x", "s"], [In("x", x)], new() { ["s"] = Longs(2, 1, 4, 1) });
        Assert.Equal(new[] { 2, 2, 4, 3 }, expand.Outputs[0].Shape);
        var xs = Boxed(x);
        var t = Boxed(tile.Run(x)[0]);
        for (long i = 0; i < t.Length; i++)
        {
            var o = Unravel(i, [4, 3, 3]);
            Assert.Equal(xs[Ravel([o[0] % 2, 0, o[2]], [2, 1, 3])], t[i]);
        }
        var ex = Boxed(expand.Run(x)[0]);
        for (long i = 0; i < ex.Length; i++)
        {
            var o = Unravel(i, [2, 2, 4, 3]);
            Assert.Equal(xs[Ravel([o[1], 0, o[3]], [2, 1, 3])], ex[i]);
        }
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("edge")]
    [InlineData("reflect")]
    public void PadModesMatchReference(string mode)
    {
        var r = new Random(1234);
        foreach (var type in new[] { OnnxElementType.Float, OnnxElementType.Int64, OnnxElementType.String })
            for (int trial = 0; trial < 15; trial++)
            {
                int rank = 1 + trial % 3;
                var shape = Enumerable.Range(0, rank).Select(_ => r.Next(mode == "constant" ? 0 : 2, 5)).ToArray();
                var x = As(type, Values((int)OnnxTensor.ElementCount(shape), trial), shape);
                var pads = Enumerable.Range(0, 2 * rank).Select(i => (long)r.Next(mode == "constant" ? -1 : 0, 3)).ToArray();
                for (int k = 0; k < rank; k++)
                    if (shape[k] + pads[k] + pads[k + rank] < 0) pads[k] = pads[k + rank] = 0; // cropping more than there is
                var value = As(type, [7f], []);
                var model = OneNode("Pad", ["x", "p", "v"], [In("x", x)], new() { ["p"] = Longs(pads), ["v"] = value }, 13,
                    attributes: Attr("mode", mode));
                var y = model.Run(x)[0];
                var outShape = shape.Select((d, k) => (int)(d + pads[k] + pads[k + rank])).ToArray();
                Assert.Equal(outShape, y.ShapeArray);
                Assert.Equal(outShape, model.Outputs[0].Shape);
                var xs = Boxed(x); var ys = Boxed(y); var fill = Boxed(value)[0];
                for (long i = 0; i < ys.Length; i++)
                {
                    var o = Unravel(i, outShape);
                    var src = new int[rank];
                    bool outside = false;
                    for (int k = 0; k < rank; k++)
                    {
                        int s = (int)(o[k] - pads[k]), d = shape[k];
                        if (s < 0 || s >= d)
                        {
                            if (mode == "constant") outside = true;
                            else if (mode == "edge") s = Math.Clamp(s, 0, d - 1);
                            else while (s < 0 || s >= d) s = s < 0 ? -s : 2 * (d - 1) - s;
                        }
                        src[k] = s;
                    }
                    Assert.Equal(outside ? fill : xs[Ravel(src, shape)], ys[i]);
                }
            }
    }

    [Fact]
    public void PadBeforeOpset11TakesAttributes()
    {
        var model = OneNode("Pad", ["x"], [Input("x", OnnxElementType.Float, 2)], opset: 2,
            attributes: [Attr("pads", new long[] { 1, 2 }), Attr("value", 1.5f)]);
        Assert.Equal(new[] { 5 }, model.Outputs[0].Shape);
        Assert.Equal(new[] { 1.5f, 3, 4, 1.5f, 1.5f }, model.Run(OnnxTensor.FromArray(new[] { 3f, 4f }, 2))[0].ToArray<float>());
        Assert.Throws<OnnxUnsupportedException>(() => OneNode("Pad", ["x"], [Input("x", OnnxElementType.Float, 2)], opset: 2,
            attributes: [Attr("pads", new long[] { 1, 2 }), Attr("mode", "wrap")]));
    }

    [Fact]
    public void GatherElementsTriluOneHotRangeSize()
    {
        var x = OnnxTensor.FromArray(new[] { 1f, 2, 3, 4, 5, 6 }, 2, 3);
        var ge = OneNode("GatherElements", ["x", "i"], [In("x", x), Input("i", OnnxElementType.Int64, 2, 2)], attributes: Attr("axis", 1L));
        Assert.Equal(new[] { 3f, 1, 5, 6 }, ge.Run(x, OnnxTensor.FromArray(new long[] { 2, 0, -2, 2 }, 2, 2))[0].ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => ge.Run(x, OnnxTensor.FromArray(new long[] { 3, 0, 0, 0 }, 2, 2)));
        Assert.Contains("GatherElements", e.Message);
        Assert.Contains("index 3", e.Message);

        var lower = OneNode("Trilu", ["x", "k"], [In("x", x)], new() { ["k"] = OnnxTensor.FromArray([1L]) }, attributes: Attr("upper", 0L));
        Assert.Equal(new[] { 1f, 2, 0, 4, 5, 6 }, lower.Run(x)[0].ToArray<float>());
        var upper = OneNode("Trilu", ["x"], [In("x", x)]);
        Assert.Equal(new[] { 1f, 2, 3, 0, 5, 6 }, upper.Run(x)[0].ToArray<float>());

        var onehot = OneNode("OneHot", ["i", "d", "v"], [Input("i", OnnxElementType.Int64, -1)],
            new() { ["d"] = OnnxTensor.FromArray([3f]), ["v"] = OnnxTensor.FromArray(new[] { "off", "on" }, 2) }, attributes: Attr("axis", 0L));
        Assert.Equal(new[] { 3, -1 }, onehot.Outputs[0].Shape);
        // Axis 0: row k marks the positions whose index is k (-2 → 1; 5 is out of range: all off).
        Assert.Equal(new[] { "off", "off", "on", "on", "off", "off", "off", "off", "off" },
            onehot.Run(Longs(-2, 5, 0))[0].ToArray<string>());

        var range = OneNode("Range", ["a", "b", "c"], [Input("a", OnnxElementType.Int32), Input("b", OnnxElementType.Int32), Input("c", OnnxElementType.Int32)]);
        Assert.Equal(new[] { 10, 7, 4 }, range.Run(OnnxTensor.FromArray([10]), OnnxTensor.FromArray([1]), OnnxTensor.FromArray([-3]))[0].ToArray<int>());
        Assert.Empty(range.Run(OnnxTensor.FromArray([1]), OnnxTensor.FromArray([10]), OnnxTensor.FromArray([-3]))[0].ToArray<int>());
        Assert.Throws<ArgumentException>(() => range.Run(OnnxTensor.FromArray([1]), OnnxTensor.FromArray([10]), OnnxTensor.FromArray([0])));

        var size = OneNode("Size", ["x"], [Input("x", OnnxElementType.String, -1, 3)]);
        Assert.Equal(2 * 3L, size.Run(OnnxTensor.FromArray(new string[6], 2, 3))[0].AsSpan<long>()[0]);
    }

    [Fact]
    public void GatherNDWithBatchDimsAndNegativeIndices()
    {
        // data [2, 3, 2]; batch_dims 1; indices [2, 1, 1] pick row indices[b, 0, 0] of batch b.
        var x = OnnxTensor.FromArray(Enumerable.Range(0, 12).Select(v => (float)v).ToArray(), 2, 3, 2);
        var model = OneNode("GatherND", ["x", "i"], [In("x", x), Input("i", OnnxElementType.Int64, 2, 1, 1)], opset: 13,
            attributes: Attr("batch_dims", 1L));
        Assert.Equal(new[] { 2, 1, 2 }, model.Outputs[0].Shape);
        var y = model.Run(x, OnnxTensor.FromArray(new long[] { 2, -3 }, 2, 1, 1))[0];
        Assert.Equal(new[] { 4f, 5, 6, 7 }, y.ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => model.Run(x, OnnxTensor.FromArray(new long[] { 3, 0 }, 2, 1, 1)));
        Assert.Contains("GatherND", e.Message);
        Assert.Contains("index 3", e.Message);
    }

    [Fact]
    public void IdentityAndReshapeShareTheInputData()
    {
        var x = OnnxTensor.FromArray(new[] { "a", "b", "c", "d" }, 2, 2);
        var identity = OneNode("Identity", ["x"], [In("x", x)]);
        Assert.Same(x, identity.Run(x)[0]);
        var flatten = OneNode("Flatten", ["x"], [In("x", x)], attributes: Attr("axis", 0L));
        var y = flatten.Run(x)[0];
        Assert.Equal(new[] { 1, 4 }, y.ShapeArray);
        Assert.Same(x.Data, y.Data);
    }
}
