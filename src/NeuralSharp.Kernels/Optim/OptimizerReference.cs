namespace NeuralSharp.Kernels;

/// <summary>Element-by-element transcriptions of PyTorch 1.13's _single_tensor_sgd / _single_tensor_adam(w); the tests compare against them.</summary>
internal static class OptimizerReference
{
    public static void Sgd(float[] param, float[] grad, float[] buf, float lr, float momentum, float dampening, float weightDecay, bool nesterov, bool firstStep)
    {
        float oneMinusDamp = (float)(1.0 - dampening);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            if (weightDecay != 0f) g = g + weightDecay * param[i];
            if (momentum != 0f)
            {
                buf[i] = firstStep ? g : momentum * buf[i] + oneMinusDamp * g;
                g = nesterov ? g + momentum * buf[i] : buf[i];
            }
            param[i] = param[i] + -lr * g;
        }
    }

    public static void Adam(float[] param, float[] grad, float[] m, float[] v, float lr, float beta1, float beta2, float eps, float weightDecay, bool decoupled, int step)
    {
        double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
        float stepSize = (float)(lr / bc1), bc2Sqrt = (float)Math.Sqrt(bc2);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            if (decoupled) param[i] *= (float)(1.0 - (double)lr * weightDecay);
            else if (weightDecay != 0f) g = g + weightDecay * param[i];
            m[i] = m[i] * beta1 + (float)(1.0 - beta1) * g;
            v[i] = v[i] * beta2 + (float)(1.0 - beta2) * g * g;
            float denom = MathF.Sqrt(v[i]) / bc2Sqrt + eps;
            param[i] = param[i] + -stepSize * m[i] / denom;
        }
    }
}
