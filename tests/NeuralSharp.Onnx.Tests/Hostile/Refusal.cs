using Google.Protobuf;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>Assertions for hostile inputs: the exact exception type, message fragments, no bug-revealing cause, bounded allocation.</summary>
internal static class Refusal
{
    /// <summary>The source name the tests load bytes under; every load-time message must name it.</summary>
    public const string Source = "hostile.onnx";

    /// <summary>Loads <paramref name="model"/> and asserts it is refused with <typeparamref name="T"/> naming the file and each fragment.</summary>
    public static T Load<T>(ModelProto model, params string[] fragments) where T : Exception =>
        Load<T>(model.ToByteArray(), null, fragments);

    /// <summary>Loads <paramref name="bytes"/> (external data from <paramref name="baseDirectory"/>) and asserts the refusal.</summary>
    public static T Load<T>(byte[] bytes, string? baseDirectory, params string[] fragments) where T : Exception
    {
        var e = Throws<T>(() => OnnxModel.Load(bytes, Source, baseDirectory), 16L * bytes.Length + (1 << 20));
        Assert.Contains(Source, e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    /// <summary>
    /// Runs <paramref name="action"/>, asserts it throws exactly <typeparamref name="T"/>, that no exception in the cause
    /// chain is one only a bug throws, and that it allocated at most <paramref name="maxBytes"/> on this thread.
    /// </summary>
    public static T Throws<T>(Action action, long maxBytes = 1 << 20) where T : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<T>(action);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= maxBytes, $"allocated {allocated} bytes (at most {maxBytes} expected) before: {e.Message}");
        for (var inner = e.InnerException; inner != null; inner = inner.InnerException)
            Assert.True(inner is OnnxFormatException or OnnxUnsupportedException or InvalidProtocolBufferException
                || inner.GetType() == typeof(ArgumentException), $"{typeof(T).Name} wraps {inner.GetType().Name}: {inner}");
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e;
    }
}
