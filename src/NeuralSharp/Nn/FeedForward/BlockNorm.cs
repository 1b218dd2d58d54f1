namespace NeuralSharp.Nn;

/// <summary>The optional pre-normalisation of a feed-forward block (applied to the block's input, registered as <c>norm</c>).</summary>
public enum BlockNorm
{
    /// <summary>No normalisation.</summary>
    None,

    /// <summary><see cref="Nn.LayerNorm"/> (eps 1e-5, affine): keys <c>norm.weight</c>, <c>norm.bias</c>.</summary>
    LayerNorm,

    /// <summary><see cref="Nn.RMSNorm"/> (eps 1e-6, affine): key <c>norm.weight</c>.</summary>
    RMSNorm,
}

/// <summary>Helpers shared by the feed-forward blocks: norm creation and config names.</summary>
internal static class BlockNormExtensions
{
    public static Module? Create(this BlockNorm norm, int dim) => norm switch
    {
        BlockNorm.None => null,
        BlockNorm.LayerNorm => new LayerNorm(dim),
        BlockNorm.RMSNorm => new RMSNorm(dim),
        _ => throw new ArgumentOutOfRangeException(nameof(norm), $"Unknown BlockNorm {norm}."),
    };

    public static string ConfigName(this BlockNorm norm) => norm switch
    {
        BlockNorm.LayerNorm => "layer_norm",
        BlockNorm.RMSNorm => "rms_norm",
        _ => "none",
    };

    public static BlockNorm Parse(string name) => name switch
    {
        "none" => BlockNorm.None,
        "layer_norm" => BlockNorm.LayerNorm,
        "rms_norm" => BlockNorm.RMSNorm,
        _ => throw new FormatException($"Model config: norm must be one of none, layer_norm, rms_norm; got '{name}'."),
    };

    /// <summary>Views x [.., D] as [N, D] (a view) after checking the last dimension.</summary>
    public static Tensor Rows(Tensor x, int dim, string op)
    {
        if (x.Rank < 1 || x.Dim(-1) != dim)
            throw new ArgumentException($"{op}: expected input [.., {dim}], got {ShapeUtil.Format(x.Shape)}.", nameof(x));
        return x.Rank == 2 ? x : Functional.Reshape(x, -1, dim);
    }

    /// <summary>Gives y [N, Out] back the leading dimensions of x.</summary>
    public static Tensor Unrows(Tensor y, Tensor x)
    {
        if (x.Rank == 2) return y;
        var shape = x.ShapeArray;
        shape[^1] = y.Dim(1);
        return Functional.Reshape(y, shape);
    }
}
