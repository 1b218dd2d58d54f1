namespace NeuralSharp.Optim;

/// <summary>
/// A learning-rate schedule: call <see cref="Step"/> once per epoch or per optimizer step (your choice,
/// consistently); it sets the optimizer's learning rate to <see cref="LearningRateAt"/>(step).
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>Binds the schedule to an optimizer and applies the rate of step 0.</summary>
    protected LearningRateSchedule(Optimizer optimizer)
    {
        Optimizer = optimizer;
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>Applies the initial rate; call at the end of derived constructors.</summary>
    protected void Apply() => Optimizer.LearningRate = LearningRateAt(CurrentStep);

    /// <summary>The optimizer whose rate is set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The optimizer's rate when the schedule was created.</summary>
    public float BaseLearningRate { get; }

    /// <summary>How many times <see cref="Step"/> has run.</summary>
    public int CurrentStep { get; private set; }

    /// <summary>The rate at a given step.</summary>
    public abstract float LearningRateAt(int step);

    /// <summary>Advances one step and updates the optimizer's rate.</summary>
    public void Step()
    {
        CurrentStep++;
        Optimizer.LearningRate = LearningRateAt(CurrentStep);
    }
}
