namespace NeuralSharp.Nn;

/// <summary>
/// Parameter initialisers with the semantics and names of PyTorch's <c>torch.nn.init</c>. Each fills a tensor in place
/// (without recording gradients) from a <see cref="RandomSource"/>, so the same seed gives the same values bit for bit,
/// and returns it. Fans follow PyTorch: for a weight [out, in, ...] fan_in = in·receptive, fan_out = out·receptive,
/// receptive = the product of the dimensions after the second.
/// </summary>
public static class Init
{
    /// <summary>
    /// The recommended gain for a nonlinearity (PyTorch's calculate_gain): linear, identity, conv*, sigmoid → 1; tanh → 5/3;
    /// relu → √2; leaky_relu → √(2/(1 + slope²)) with slope = <paramref name="param"/> (default 0.01); selu → 3/4.
    /// </summary>
    /// <exception cref="ArgumentException">For an unknown nonlinearity (the message lists the known ones) or a non-finite slope.</exception>
    public static float CalculateGain(string nonlinearity, float? param = null)
    {
        switch (nonlinearity)
        {
            case "linear" or "identity" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid":
                return 1f;
            case "tanh":
                return 5f / 3f;
            case "relu":
                return MathF.Sqrt(2f);
            case "leaky_relu":
                float slope = param ?? 0.01f;
                if (!float.IsFinite(slope)) throw new ArgumentException($"Init.CalculateGain: negative_slope must be finite, got {slope}.", nameof(param));
                return (float)Math.Sqrt(2.0 / (1.0 + (double)slope * slope));
            case "selu":
                return 0.75f;
            default:
                throw new ArgumentException($"Init.CalculateGain: unsupported nonlinearity '{nonlinearity}' (known: linear, identity, conv1d, conv2d, conv3d, " +
                    "conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu, selu).", nameof(nonlinearity));
        }
    }

    /// <summary>fan_in and fan_out of a weight shape [out, in, ...] (PyTorch's _calculate_fan_in_and_fan_out).</summary>
    /// <exception cref="ArgumentException">When the shape has fewer than two dimensions.</exception>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(ReadOnlySpan<int> shape)
    {
        if (shape.Length < 2)
            throw new ArgumentException($"Init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions; got {ShapeUtil.Format(shape)}.", nameof(shape));
        long receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return ((int)(shape[1] * receptive), (int)(shape[0] * receptive));
    }

    /// <summary>Fills with <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor tensor, float value)
    {
        tensor.Data.Fill(value);
        return tensor;
    }

    /// <summary>Fills with zeros.</summary>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0f);

    /// <summary>Fills with ones.</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1f);

    /// <summary>Fills with samples of U(a, b): a + (b - a)·u, u uniform in [0, 1) with 24 random bits.</summary>
    /// <exception cref="ArgumentException">When a &gt; b or a bound is not finite.</exception>
    public static Tensor Uniform(Tensor tensor, RandomSource random, float a = 0f, float b = 1f)
    {
        if (!(float.IsFinite(a) && float.IsFinite(b) && a <= b))
            throw new ArgumentException($"Init.Uniform: expected finite bounds a <= b, got a = {a}, b = {b}.", nameof(a));
        var d = tensor.Data;
        float range = b - a;
        for (int i = 0; i < d.Length; i++) d[i] = a + range * random.NextFloat();
        return tensor;
    }

    /// <summary>Fills with samples of N(mean, std²) (Box–Muller in double, rounded to float).</summary>
    /// <exception cref="ArgumentException">When std is negative or not finite.</exception>
    public static Tensor Normal(Tensor tensor, RandomSource random, float mean = 0f, float std = 1f)
    {
        if (!(std >= 0f && float.IsFinite(std)) || !float.IsFinite(mean))
            throw new ArgumentException($"Init.Normal: expected a finite mean and std >= 0, got mean = {mean}, std = {std}.", nameof(std));
        var d = tensor.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(mean + std * random.NextGaussian());
        return tensor;
    }

    /// <summary>
    /// Fills with samples of N(mean, std²) truncated to [a, b] (PyTorch's trunc_normal_), drawn by rejection: a normal
    /// sample outside [a, b] is drawn again. Practical when [a, b] holds a fair share of the mass (PyTorch warns when mean is
    /// more than 2 std outside it).
    /// </summary>
    /// <exception cref="ArgumentException">When std ≤ 0, a ≥ b, or [a, b] holds too little mass (no sample accepted in 100 000 draws).</exception>
    public static Tensor TruncatedNormal(Tensor tensor, RandomSource random, float mean = 0f, float std = 1f, float a = -2f, float b = 2f)
    {
        if (!(std > 0f && float.IsFinite(std)) || !float.IsFinite(mean))
            throw new ArgumentException($"Init.TruncatedNormal: expected a finite mean and std > 0, got mean = {mean}, std = {std}.", nameof(std));
        if (!(a < b)) throw new ArgumentException($"Init.TruncatedNormal: expected a < b, got a = {a}, b = {b}.", nameof(a));
        var d = tensor.Data;
        for (int i = 0; i < d.Length; i++)
        {
            int attempts = 0;
            float v;
            do
            {
                if (++attempts > 100_000)
                    throw new ArgumentException($"Init.TruncatedNormal: [{a}, {b}] holds too little of N({mean}, {std}²) for rejection sampling.", nameof(a));
                v = (float)(mean + std * random.NextGaussian());
            }
            while (!(v >= a && v <= b));
            d[i] = v;
        }
        return tensor;
    }

    /// <summary>Xavier/Glorot uniform: U(-bound, bound), bound = gain·√(6/(fan_in + fan_out)).</summary>
    /// <exception cref="ArgumentException">When the tensor has fewer than 2 dimensions.</exception>
    public static Tensor XavierUniform(Tensor tensor, RandomSource random, float gain = 1f)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor.Shape);
        float std = gain * MathF.Sqrt(2f / Math.Max(fanIn + fanOut, 1));
        float bound = MathF.Sqrt(3f) * std;
        return Uniform(tensor, random, -bound, bound);
    }

    /// <summary>Xavier/Glorot normal: N(0, std²), std = gain·√(2/(fan_in + fan_out)).</summary>
    /// <exception cref="ArgumentException">When the tensor has fewer than 2 dimensions.</exception>
    public static Tensor XavierNormal(Tensor tensor, RandomSource random, float gain = 1f)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor.Shape);
        return Normal(tensor, random, 0f, gain * MathF.Sqrt(2f / Math.Max(fanIn + fanOut, 1)));
    }

    /// <summary>
    /// Kaiming/He uniform: U(-bound, bound), bound = √3·gain/√fan with gain = <see cref="CalculateGain"/>(nonlinearity, a) and
    /// fan = fan_in or fan_out by <paramref name="mode"/>. PyTorch's defaults (a = 0, fan_in, leaky_relu) give bound = √(6/fan_in).
    /// nn.Linear's own initialisation is KaimingUniform with a = √5, i.e. bound = 1/√fan_in.
    /// </summary>
    /// <exception cref="ArgumentException">For a mode other than fan_in/fan_out, an unknown nonlinearity, or fewer than 2 dimensions.</exception>
    public static Tensor KaimingUniform(Tensor tensor, RandomSource random, float a = 0f, string mode = "fan_in", string nonlinearity = "leaky_relu")
    {
        float std = KaimingStd(tensor, a, mode, nonlinearity, "KaimingUniform");
        float bound = MathF.Sqrt(3f) * std;
        return Uniform(tensor, random, -bound, bound);
    }

    /// <summary>Kaiming/He normal: N(0, std²), std = gain/√fan (see <see cref="KaimingUniform"/> for gain and fan).</summary>
    /// <exception cref="ArgumentException">For a mode other than fan_in/fan_out, an unknown nonlinearity, or fewer than 2 dimensions.</exception>
    public static Tensor KaimingNormal(Tensor tensor, RandomSource random, float a = 0f, string mode = "fan_in", string nonlinearity = "leaky_relu") =>
        Normal(tensor, random, 0f, KaimingStd(tensor, a, mode, nonlinearity, "KaimingNormal"));

    private static float KaimingStd(Tensor tensor, float a, string mode, string nonlinearity, string op)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor.Shape);
        int fan = mode switch
        {
            "fan_in" => fanIn,
            "fan_out" => fanOut,
            _ => throw new ArgumentException($"Init.{op}: mode must be 'fan_in' or 'fan_out', got '{mode}'.", nameof(mode)),
        };
        if (fan == 0) throw new ArgumentException($"Init.{op}: cannot initialise a tensor with zero elements ({ShapeUtil.Format(tensor.Shape)}).", nameof(tensor));
        return CalculateGain(nonlinearity, a) / MathF.Sqrt(fan);
    }
}
