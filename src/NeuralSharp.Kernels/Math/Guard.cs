namespace NeuralSharp.Kernels;

/// <summary>Argument validation shared by the kernels: every message names the kernel, the argument and the sizes.</summary>
internal static class Guard
{
    public static void Length(string kernel, string arg, int expected, int given)
    {
        if (expected != given)
            throw new ArgumentException($"{kernel}: '{arg}' has length {given}, expected {expected}.", arg);
    }

    public static void LengthOrEmpty(string kernel, string arg, int expected, int given)
    {
        if (given != 0 && expected != given)
            throw new ArgumentException($"{kernel}: '{arg}' has length {given}, expected {expected} (or 0 for none).", arg);
    }

    public static void NonNegative(string kernel, string arg, int value)
    {
        if (value < 0)
            throw new ArgumentException($"{kernel}: '{arg}' is {value}, expected a non-negative size.", arg);
    }

    /// <summary>Checks dims are non-negative and returns their product, which must fit an int.</summary>
    public static int Product(string kernel, int a, string aName, int b, string bName)
    {
        NonNegative(kernel, aName, a);
        NonNegative(kernel, bName, b);
        long p = (long)a * b;
        if (p > int.MaxValue)
            throw new ArgumentException($"{kernel}: {aName} * {bName} = {p} exceeds the largest span length.");
        return (int)p;
    }

    public static int Product(string kernel, int a, string aName, int b, string bName, int c, string cName)
    {
        NonNegative(kernel, cName, c);
        long p = (long)Product(kernel, a, aName, b, bName) * c;
        if (p > int.MaxValue)
            throw new ArgumentException($"{kernel}: {aName} * {bName} * {cName} = {p} exceeds the largest span length.");
        return (int)p;
    }
}
