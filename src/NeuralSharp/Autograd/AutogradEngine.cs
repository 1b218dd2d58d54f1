namespace NeuralSharp;

/// <summary>Runs reverse-mode differentiation over the recorded graph.</summary>
internal static class AutogradEngine
{
    public static void Backward(Tensor root, Tensor? gradient, bool retainGraph)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward: tensor of shape {ShapeUtil.Format(root.Shape)} does not require gradients (no parameter or input with RequiresGrad contributed to it, or it was computed under GradMode.NoGrad()).");
        if (gradient == null && root.Size != 1)
            throw new InvalidOperationException($"Backward: a gradient can be implied only for a one-element output; got shape {ShapeUtil.Format(root.Shape)} — pass the upstream gradient.");
        if (gradient != null && !ShapeUtil.SameShape(gradient.Shape, root.Shape))
            throw new ArgumentException($"Backward: gradient shape {ShapeUtil.Format(gradient.Shape)} differs from the output shape {ShapeUtil.Format(root.Shape)}.");

        var order = TopologicalOrder(root);
        var rootGrad = root.GradBuffer();
        if (gradient == null) rootGrad[0] += 1f;
        else System.Numerics.Tensors.TensorPrimitives.Add(rootGrad, gradient.Data, rootGrad);

        using var _ = GradMode.NoGrad();
        // `order` lists producers after consumers' inputs; walk it from the root down.
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var tensor = order[i];
            var node = tensor.GradFn!;
            if (node.Freed)
                throw new InvalidOperationException($"Backward: the graph through {node.Name} was already freed by an earlier Backward(); pass retainGraph: true to the first call to run backward twice.");
            if (tensor.Grad != null) node.Backward(tensor.Grad);
            if (!tensor.RetainsGrad)
            {
                tensor.Grad?.Dispose();
                tensor.Grad = null;
            }
            if (!retainGraph) node.Release();
        }
    }

    /// <summary>Non-leaf tensors reachable from root, each after all tensors it depends on.</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        if (root.GradFn == null) return order;
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Tensor, int NextInput)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (tensor, next) = stack.Pop();
            var inputs = tensor.GradFn!.Inputs;
            if (next < inputs.Count)
            {
                stack.Push((tensor, next + 1));
                var input = inputs[next];
                if (input.GradFn != null && input.RequiresGrad && visited.Add(input)) stack.Push((input, 0));
            }
            else order.Add(tensor);
        }
        return order;
    }
}
