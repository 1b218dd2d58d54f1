namespace NeuralSharp.Nn;

/// <summary>The feed-forward sub-layer of a <see cref="TransformerEncoderBlock"/> (registered as <c>ffn</c>).</summary>
public enum EncoderFeedForward
{
    /// <summary><see cref="Nn.FeedForward"/>: W2·dropout(act(W1·x + b1)) + b2 (keys <c>ffn.w1.*</c>, <c>ffn.w2.*</c>).</summary>
    FeedForward,

    /// <summary><see cref="GatedFeedForward"/> with <see cref="GluVariant.SwiGLU"/>, no biases: W2·(silu(W1·x) ⊙ W3·x)
    /// (keys <c>ffn.w1.weight</c>, <c>ffn.w2.weight</c>, <c>ffn.w3.weight</c>).</summary>
    SwiGLU,
}

/// <summary>Config names of <see cref="EncoderFeedForward"/>.</summary>
internal static class EncoderFeedForwardExtensions
{
    public static string ConfigName(this EncoderFeedForward f) => f == EncoderFeedForward.SwiGLU ? "swiglu" : "feed_forward";

    public static EncoderFeedForward Parse(string name) => name switch
    {
        "feed_forward" => EncoderFeedForward.FeedForward,
        "swiglu" => EncoderFeedForward.SwiGLU,
        _ => throw new FormatException($"Model config: ffn must be one of feed_forward, swiglu; got '{name}'."),
    };
}
