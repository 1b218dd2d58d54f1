using NeuralSharp.Nn;
using NeuralSharp.Optim;
using NeuralSharp.Training;

namespace NeuralSharp.Tests.Training;

/// <summary>Fit adds the auxiliary losses of IAuxiliaryLossSource modules (the MoE load-balancing loss) to the loss it minimises.</summary>
public class TrainerAuxiliaryLossTests
{
    private static (Sequential Model, MixtureOfExperts Moe) Build(float auxWeight)
    {
        var random = new RandomSource(3);
        // Top-1 with renormalised gates: every gate is exactly 1, so the router's only gradient is the auxiliary loss.
        var moe = new MixtureOfExperts(32, 32, numExperts: 4, topK: 1, capacityFactor: null, renormalize: true, auxLossWeight: auxWeight, random: random);
        return (new Sequential(new Linear(64, 32, random: random), moe, new Linear(32, 10, random: random)), moe);
    }

    /// <summary>How far plain SGD moves the router in one epoch (SGD, not Adam: Adam would blow rounding noise up to full-size steps).</summary>
    private static double RouterMovement(float auxWeight)
    {
        var (model, moe) = Build(auxWeight);
        var initial = moe.Router.Weight.ToArray();
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 0.1f));
        trainer.Fit(DigitsData.Train, new FitOptions { Epochs = 1, BatchSize = 64 });
        var final = moe.Router.Weight.ToArray();
        return Math.Sqrt(initial.Zip(final, (a, b) => (double)(a - b) * (a - b)).Sum());
    }

    [Fact]
    public void TheRouterLearnsThroughTheAuxiliaryLoss()
    {
        // With renormalised top-1 gates the task loss gives the router only rounding noise (d(p/p)/dp = 0);
        // the load-balancing term is what moves it.
        double withAux = RouterMovement(1f), withoutAux = RouterMovement(0f);
        Assert.True(withAux > 1e-3, $"router moved {withAux} with the auxiliary loss");
        Assert.True(withAux > 100 * withoutAux, $"router moved {withAux} with and {withoutAux} without the auxiliary loss");
    }

    [Fact]
    public void ModulesListsTheModelAndEveryDescendant()
    {
        var (model, moe) = Build(0.01f);
        var modules = model.Modules().ToList();
        Assert.Same(model, modules[0]);
        Assert.Contains(moe, modules);
        Assert.Contains(moe.Router, modules);
        Assert.Single(modules.OfType<IAuxiliaryLossSource>());
    }
}
