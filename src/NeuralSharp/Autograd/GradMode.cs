namespace NeuralSharp;

/// <summary>
/// Whether ops record the autograd graph on this thread. <c>using (GradMode.NoGrad()) { ... }</c> is
/// the inference scope: nothing inside is recorded, so nothing is kept for backward.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>True when ops on this thread record the graph.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>Turns recording off until the returned scope is disposed (nestable).</summary>
    public static NoGradScope NoGrad()
    {
        _disabledDepth++;
        return new NoGradScope();
    }

    internal static void Restore() => _disabledDepth--;
}
