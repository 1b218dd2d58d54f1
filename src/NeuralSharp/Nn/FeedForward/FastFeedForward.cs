using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Fast feedforward network (Belcak &amp; Wattenhofer 2023): a balanced binary tree of depth d whose 2^d - 1 nodes are
/// neurons σ(w_n·x + b_n) = P(go right at n), with 2^d leaves that are small FFNs
/// (Linear(Dim, LeafHidden) → act → Linear(LeafHidden, OutDim)). Nodes are numbered in heap order: the root is 0 and
/// node n has children 2n+1 (left) and 2n+2 (right); leaf l is tree position 2^d - 1 + l.
/// <para>Training mode (soft routing): y = Σ_l p_l(x) · leaf_l(x), p_l the product of the branch probabilities
/// (σ(z) right, 1 - σ(z) left) along l's path, computed as exp(Σ log σ(±z)); every leaf runs on every sample.</para>
/// <para>Evaluation mode (hard routing): each sample follows the likelier branch at every node (right when z &gt; 0,
/// left on a tie), evaluating only the d nodes on its path, and only its leaf runs on it (samples grouped by leaf, one
/// product per leaf): y = leaf_{path(x)}(x). Gradients still flow to the leaves, not to the nodes.</para>
/// x [.., Dim] -> [.., OutDim]. Children (state-dict keys): <c>nodes</c> (one Linear(Dim, 2^d - 1): row n is node n),
/// <c>leaves.{l}</c> (<see cref="FeedForward"/>: <c>w1</c>, <c>w2</c>). Initialisation: PyTorch's Linear default.
/// </summary>
public sealed class FastFeedForward : Module
{
    private readonly ExpertList _leaves;
    private Tensor? _rightPaths, _leftPaths;

    /// <summary>Creates the tree.</summary>
    /// <param name="dim">Input width, &gt; 0.</param>
    /// <param name="depth">Tree depth d in [1, 16].</param>
    /// <param name="leafHidden">Hidden width of each leaf, &gt; 0.</param>
    /// <param name="outDim">Output width; Dim when null.</param>
    /// <param name="activation">The leaves' activation name.</param>
    /// <param name="random">Initialisation source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentException">For a bad setting, naming the argument.</exception>
    public FastFeedForward(int dim, int depth, int leafHidden, int? outDim = null, string activation = "gelu", RandomSource? random = null)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), $"FastFeedForward: dim must be positive, got {dim}.");
        if (depth < 1 || depth > 16) throw new ArgumentOutOfRangeException(nameof(depth), $"FastFeedForward: depth must be in [1, 16], got {depth}.");
        if (leafHidden <= 0) throw new ArgumentOutOfRangeException(nameof(leafHidden), $"FastFeedForward: leafHidden must be positive, got {leafHidden}.");
        if (outDim is <= 0) throw new ArgumentOutOfRangeException(nameof(outDim), $"FastFeedForward: outDim must be positive, got {outDim}.");
        Mlp.CreateActivation(activation);
        random ??= RandomSource.Global;
        Dim = dim;
        Depth = depth;
        LeafHidden = leafHidden;
        OutDim = outDim ?? dim;
        ActivationName = activation;
        Nodes = RegisterModule("nodes", new Linear(dim, NodeCount, bias: true, random));
        var leaves = new Module[LeafCount];
        for (int l = 0; l < leaves.Length; l++) leaves[l] = new FeedForward(dim, leafHidden, activation, outDim: OutDim, random: random);
        _leaves = RegisterModule("leaves", new ExpertList(leaves));
    }

    /// <summary>Input width.</summary>
    public int Dim { get; }

    /// <summary>Tree depth d.</summary>
    public int Depth { get; }

    /// <summary>Hidden width of each leaf.</summary>
    public int LeafHidden { get; }

    /// <summary>Output width.</summary>
    public int OutDim { get; }

    /// <summary>The leaves' activation name.</summary>
    public string ActivationName { get; }

    /// <summary>2^d - 1.</summary>
    public int NodeCount => (1 << Depth) - 1;

    /// <summary>2^d.</summary>
    public int LeafCount => 1 << Depth;

    /// <summary>The node neurons: row n of the weight and bias entry n are node n.</summary>
    public Linear Nodes { get; }

    /// <summary>The leaf networks, leaf l at index l.</summary>
    public IReadOnlyList<FeedForward> Leaves => Enumerable.Range(0, _leaves.Count).Select(i => (FeedForward)_leaves[i]).ToArray();

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = BlockNormExtensions.Rows(input, Dim, "FastFeedForward");
        var y = Training ? SoftForward(x) : HardForward(x, Route(x));
        return BlockNormExtensions.Unrows(y, input);
    }

    /// <summary>The leaf probabilities p [N, 2^d] of x [N, Dim] (soft routing; rows sum to 1).</summary>
    public Tensor LeafProbabilities(Tensor x)
    {
        EnsurePathMatrices();
        var z = Nodes.Forward(x);                                                   // [N, nodes]
        var logRight = Functional.Neg(Functional.Softplus(Functional.Neg(z)));      // log σ(z)
        var logLeft = Functional.Neg(Functional.Softplus(z));                       // log σ(-z)
        var logP = Functional.Add(Functional.MatMul(logRight, _rightPaths!), Functional.MatMul(logLeft, _leftPaths!));
        return Functional.Exp(logP);
    }

    private Tensor SoftForward(Tensor x)
    {
        int n = x.Dim(0);
        var p = LeafProbabilities(x);
        var all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        Tensor? y = null;
        for (int l = 0; l < LeafCount; l++)
        {
            var col = new int[n];
            Array.Fill(col, l);
            var weighted = Functional.Mul(_leaves[l].Forward(x), Functional.Reshape(Functional.GatherElements(p, all, col), n, 1));
            y = y == null ? weighted : Functional.Add(y, weighted);
        }
        return y!;
    }

    /// <summary>
    /// The leaf each row of x [N, Dim] reaches by hard routing (right when w_n·x + b_n &gt; 0): only the d nodes on the
    /// path are evaluated. Not differentiable.
    /// </summary>
    /// <exception cref="ArgumentException">When x is not [N, Dim].</exception>
    public int[] Route(Tensor x)
    {
        if (x.Rank != 2 || x.Dim(1) != Dim) throw new ArgumentException($"FastFeedForward.Route: expected [N, {Dim}], got {ShapeUtil.Format(x.Shape)}.", nameof(x));
        int n = x.Dim(0);
        var leaf = new int[n];
        var xd = x.Data;
        var w = Nodes.Weight.Data;
        var b = Nodes.Bias!.Data;
        for (int i = 0; i < n; i++)
        {
            var row = xd.Slice(i * Dim, Dim);
            int node = 0;
            // One dot product per level: the sample touches only its own path (the point of FFF inference).
            for (int level = 0; level < Depth; level++)
                node = 2 * node + (System.Numerics.Tensors.TensorPrimitives.Dot(w.Slice(node * Dim, Dim), row) + b[node] > 0f ? 2 : 1);
            leaf[i] = node - NodeCount;
        }
        return leaf;
    }

    private Tensor HardForward(Tensor x, int[] leafOf)
    {
        int n = x.Dim(0);
        var groups = new List<int>[LeafCount];
        for (int i = 0; i < n; i++) (groups[leafOf[i]] ??= []).Add(i);
        var indexLists = new List<int[]>();
        var outputs = new List<Tensor>();
        for (int l = 0; l < LeafCount; l++)
        {
            if (groups[l] is not { } g) continue;
            var rows = g.ToArray();
            outputs.Add(_leaves[l].Forward(Functional.IndexSelectRows(x, rows))); // one product per leaf over its rows
            indexLists.Add(rows);
        }
        return Functional.IndexAddRows(Tensor.Zeros(n, OutDim), indexLists, outputs);
    }

    /// <summary>Constant 0/1 matrices [nodes, leaves]: R[n, l] = 1 when l's path goes right at n, L[n, l] when it goes left.</summary>
    private void EnsurePathMatrices()
    {
        if (_rightPaths != null) return;
        var right = Tensor.Zeros(NodeCount, LeafCount).ExcludeFromScope();
        var left = Tensor.Zeros(NodeCount, LeafCount).ExcludeFromScope();
        for (int l = 0; l < LeafCount; l++)
        {
            int node = 0;
            for (int level = Depth - 1; level >= 0; level--)
            {
                bool goRight = ((l >> level) & 1) == 1;
                (goRight ? right : left).Data[node * LeafCount + l] = 1f;
                node = 2 * node + (goRight ? 2 : 1);
            }
        }
        _rightPaths = right;
        _leftPaths = left;
    }

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new()
    {
        ["type"] = "FastFeedForward", ["dim"] = Dim, ["depth"] = Depth, ["leaf_hidden"] = LeafHidden, ["out_dim"] = OutDim, ["activation"] = ActivationName,
    };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dim}, depth={Depth}, leaf_hidden={LeafHidden}, out_dim={OutDim}";
}
