using NeuralSharp.Kernels;
using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>Gemm, MatMul and the fused linear layer (product + bias + activation in one GEMM epilogue).</summary>
internal static class LinearOps
{
    public static void Register(OperatorRegistry registry)
    {
        registry.Add("Gemm", 1, CreateGemm);
        registry.Add("MatMul", 1, CreateMatMul);
        registry.Add("FusedLinear", 1, CreateFusedLinear, OperatorRegistry.NeuralSharpDomain);
        registry.Add("Gelu", 1, ActivationOp.Factory(Activation.GeluErf), OperatorRegistry.NeuralSharpDomain);
        registry.Add("Silu", 1, ActivationOp.Factory(Activation.Silu), OperatorRegistry.NeuralSharpDomain);
    }

    /// <summary>Y = alpha * op(A) * op(B) + beta * C, C broadcast to [M, N] (ONNX Gemm; opset 6 <c>broadcast</c> honoured).</summary>
    private static OnnxOp CreateGemm(OpContext ctx)
    {
        ctx.RequireArity(2, 3);
        ctx.RequireKnownAttributes("alpha", "beta", "transA", "transB", "broadcast");
        ctx.RequireType(0, OnnxElementType.Float);
        ctx.RequireType(1, OnnxElementType.Float);
        if (ctx.HasInput(2)) ctx.RequireType(2, OnnxElementType.Float);
        float alpha = ctx.Float("alpha", 1f), beta = ctx.Float("beta", 1f);
        bool transA = ctx.Int("transA", 0) != 0, transB = ctx.Int("transB", 0) != 0;
        var a = ctx.Input(0).Shape;
        var b = ctx.Input(1).Shape;
        if (a is { Length: not 2 } || b is { Length: not 2 })
            throw ctx.Fail($"A {ctx.Input(0).ShapeText} and B {ctx.Input(1).ShapeText} must be matrices");
        int m = a == null ? -1 : transA ? a[1] : a[0];
        int n = b == null ? -1 : transB ? b[0] : b[1];
        int ka = a == null ? -1 : transA ? a[0] : a[1], kb = b == null ? -1 : transB ? b[1] : b[0];
        if (ka >= 0 && kb >= 0 && ka != kb)
            throw ctx.Fail($"op(A) of A {ctx.Input(0).ShapeText} (transA={transA}) and op(B) of B {ctx.Input(1).ShapeText} (transB={transB}) do not multiply ({ka} != {kb})");
        bool hasC = ctx.HasInput(2);
        if (hasC && ctx.Input(2).Shape is { } c)
        {
            // C broadcasts one way to [M, N]: each of its (right-aligned) dims is 1 or the matching size.
            int[] target = [m, n];
            bool fits = c.Length <= 2;
            for (int i = 0; fits && i < c.Length; i++)
            {
                int dc = c[i], dt = target[2 - c.Length + i];
                fits = dc < 0 || dt < 0 || dc == 1 || dc == dt;
            }
            if (!fits)
                throw ctx.Fail($"C {ctx.Input(2).ShapeText} does not broadcast to the product's [{(m < 0 ? "?" : m)}, {(n < 0 ? "?" : n)}]");
        }
        return new DelegateOp((ins, outs) =>
        {
            var A = ins[0]!; var B = ins[1]!;
            if (A.Rank != 2 || B.Rank != 2)
                throw new ArgumentException($"Gemm: A [{Dims(A)}] and B [{Dims(B)}] must be matrices");
            int M = transA ? A.Shape[1] : A.Shape[0], K = transA ? A.Shape[0] : A.Shape[1];
            int KB = transB ? B.Shape[1] : B.Shape[0], N = transB ? B.Shape[0] : B.Shape[1];
            if (K != KB)
                throw new ArgumentException($"Gemm: op(A) [{M}, {K}] and op(B) [{KB}, {N}] do not multiply (transA={transA}, transB={transB})");
            var y = new float[(long)M * N];
            var C = hasC ? ins[2] : null;
            if (C != null && beta != 0f && IsRowBias(C, N) && alpha == 1f && beta == 1f)
            {
                Gemm.SgemmBiasActivation(transA, transB, M, N, K, A.AsSpan<float>(), A.Shape[1], B.AsSpan<float>(), B.Shape[1],
                    C.AsSpan<float>(), Activation.Identity, 0f, y, N);
            }
            else
            {
                float betaY = 0f;
                if (C != null && beta != 0f)
                {
                    Broadcast.To(C, [M, N], "Gemm C").AsSpan<float>().CopyTo(y);
                    Elementwise.Scale(y, beta, y);
                    betaY = 1f;
                }
                Gemm.Sgemm(transA, transB, M, N, K, alpha, A.AsSpan<float>(), A.Shape[1], B.AsSpan<float>(), B.Shape[1], betaY, y, N);
            }
            outs[0] = OnnxTensor.FromArray(y, M, N);
        })
        { Outputs = [new ValueInfo(OnnxElementType.Float, [m, n])] };
    }

    private static bool IsRowBias(OnnxTensor c, int n) =>
        (c.Rank == 1 && c.Shape[0] == n) || (c.Rank == 2 && c.Shape[0] == 1 && c.Shape[1] == n);

    /// <summary>NumPy matmul: 1-D operands are promoted (and the added axis removed), batch axes broadcast.</summary>
    private static OnnxOp CreateMatMul(OpContext ctx)
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes();
        ctx.RequireType(0, OnnxElementType.Float);
        ctx.RequireType(1, OnnxElementType.Float);
        int[]? shape = null;
        var a = ctx.Input(0).Shape;
        var b = ctx.Input(1).Shape;
        if (a != null && b != null)
        {
            if (a.Length == 0 || b.Length == 0) throw ctx.Fail("MatMul operands must have rank >= 1");
            shape = MatMulShape(a, b, ctx.Fail);
        }
        return new DelegateOp((ins, outs) => outs[0] = MatMul(ins[0]!, ins[1]!))
        { Outputs = [new ValueInfo(OnnxElementType.Float, shape)] };
    }

    private static int[] MatMulShape(int[] a, int[] b, Func<string, Exception> fail)
    {
        int[] a2 = a.Length == 1 ? [1, a[0]] : a;
        int[] b2 = b.Length == 1 ? [b[0], 1] : b;
        int ka = a2[^1], kb = b2[^2];
        if (ka >= 0 && kb >= 0 && ka != kb)
            throw fail($"MatMul: [{string.Join(", ", a)}] and [{string.Join(", ", b)}] do not multiply ({ka} != {kb})");
        var batch = Broadcast.Shape(a2[..^2], b2[..^2], fail);
        var shape = new List<int>(batch);
        if (a.Length > 1) shape.Add(a2[^2]);
        if (b.Length > 1) shape.Add(b2[^1]);
        return shape.ToArray();
    }

    /// <summary>Runs a MatMul (also used by folding and by the fused path's 3-D inputs).</summary>
    internal static OnnxTensor MatMul(OnnxTensor a, OnnxTensor b)
    {
        if (a.Rank == 0 || b.Rank == 0) throw new ArgumentException("MatMul: operands must have rank >= 1");
        var shape = MatMulShape(a.ShapeArray, b.ShapeArray, m => new ArgumentException(m));
        int[] a2 = a.Rank == 1 ? [1, a.Shape[0]] : a.ShapeArray;
        int[] b2 = b.Rank == 1 ? [b.Shape[0], 1] : b.ShapeArray;
        int m = a2[^2], k = a2[^1], n = b2[^1];
        var batch = Broadcast.Shape(a2[..^2], b2[..^2], s => new ArgumentException(s));
        long batches = OnnxTensor.ElementCount(batch);
        var y = new float[OnnxTensor.ElementCount(shape)];
        var A = a.AsSpan<float>(); var B = b.AsSpan<float>();
        // B shared by every batch with A's batches contiguous: one product with M = batches * m.
        if (b2.Length == 2 && a2.Length >= 2)
        {
            Gemm.Sgemm(false, false, (int)(batches * m), n, k, 1f, A, k, B, n, 0f, y, n);
            return OnnxTensor.FromArray(y, shape);
        }
        var aBatch = a2[..^2]; var bBatch = b2[..^2];
        var index = new int[batch.Length];
        for (long t = 0; t < batches; t++)
        {
            long ao = Broadcast.Offset(index, aBatch) * m * k, bo = Broadcast.Offset(index, bBatch) * k * n;
            Gemm.Sgemm(false, false, m, n, k, 1f, A.Slice((int)ao, m * k), k, B.Slice((int)bo, k * n), n, 0f,
                y.AsSpan((int)(t * m * n), m * n), n);
            Broadcast.Increment(index, batch);
        }
        return OnnxTensor.FromArray(y, shape);
    }

    /// <summary>
    /// The compiler's fusion of Gemm or MatMul + Add with a following activation: inputs X [.., K], W (constant,
    /// [K, N], or [N, K] with transB), bias [N] (optional); attributes transB, activation (an
    /// <see cref="Activation"/> name), alpha, matrix_input (1 when fused from a Gemm: X must be a matrix).
    /// </summary>
    private static OnnxOp CreateFusedLinear(OpContext ctx)
    {
        ctx.RequireArity(2, 3);
        ctx.RequireKnownAttributes("transB", "activation", "alpha", "matrix_input");
        ctx.RequireType(0, OnnxElementType.Float);
        bool transB = ctx.Int("transB", 0) != 0;
        bool matrixInput = ctx.Int("matrix_input", 0) != 0;
        string activationName = ctx.String("activation", nameof(Activation.Identity));
        if (!Enum.TryParse<Activation>(activationName, out var activation) || !Enum.IsDefined(activation) || char.IsDigit(activationName[0]))
            throw ctx.Fail($"unknown activation '{activationName}'");
        float alpha = ctx.Float("alpha", 0f);
        var w = ctx.Constant(1) ?? throw ctx.Fail("the weight must be a constant");
        if (w.ElementType != OnnxElementType.Float || w.Rank != 2)
            throw ctx.Fail($"the weight must be a float matrix, it is {w}");
        int n = transB ? w.Shape[0] : w.Shape[1], k = transB ? w.Shape[1] : w.Shape[0];
        var bias = ctx.HasInput(2) ? ctx.Constant(2) ?? throw ctx.Fail("the bias must be a constant") : null;
        if (bias != null && (bias.ElementType != OnnxElementType.Float || bias.Length != n || bias.Rank > 2))
            throw ctx.Fail($"the bias must be {n} floats, it is {bias}");
        var x = ctx.Input(0).Shape;
        if (x != null && (x.Length == 0 || matrixInput && x.Length != 2 || x[^1] >= 0 && x[^1] != k))
            throw ctx.Fail($"input {ctx.Input(0).ShapeText} does not fit a weight of {k} inputs and {n} outputs{(matrixInput ? " (Gemm: a matrix)" : "")}");
        int[]? shape = x == null ? null : [.. x[..^1], n];
        // The weight is a constant: pack it once, as the GEMM's micro-kernel reads it, so that a run skips
        // packing B (what dominates a product of few rows); runs too small to profit use the plain path.
        var packed = Gemm.PackB(transB, k, n, w.AsSpan<float>(), transB ? k : n);
        return new DelegateOp((ins, outs) =>
        {
            var X = ins[0]!;
            if (X.Rank < 1 || X.Shape[^1] != k || matrixInput && X.Rank != 2)
                throw new ArgumentException($"linear layer: input [{Dims(X)}] must {(matrixInput ? "be a matrix that ends" : "end")} in {k} features");
            int rows = (int)OnnxTensor.ElementCount(X.Shape[..^1]);
            var Y = OnnxTensor.Rent<float>([.. X.Shape[..^1], n]);
            var y = Y.AsSpan<float>();
            var biasSpan = bias == null ? default : bias.AsSpan<float>();
            if (GemmPackedB.Pays(rows, n, k))
                Gemm.SgemmBiasActivationPacked(false, rows, X.AsSpan<float>(), k, packed, biasSpan, activation, alpha, y, n);
            else
                Gemm.SgemmBiasActivation(false, transB, rows, n, k, X.AsSpan<float>(), k, w.AsSpan<float>(), transB ? k : n,
                    biasSpan, activation, alpha, y, n);
            outs[0] = Y;
        })
        { Outputs = [new ValueInfo(OnnxElementType.Float, shape)] };
    }

    private static string Dims(OnnxTensor t) => string.Join(", ", t.ShapeArray);
}
