using System.Diagnostics;
using NeuralSharp.Onnx;
using Xunit.Abstractions;

namespace NeuralSharp.Cli.Tests;

/// <summary>The interim .npy reader/writer of <c>neuralsharp run</c>: round trips, NumPy's own files, malformed files.</summary>
public class NpyInterimTests(ITestOutputHelper log)
{
    [Fact]
    public void RoundTripsEveryTypeAndRank()
    {
        var dir = CliRunner.TempDir();
        try
        {
            OnnxTensor[] tensors =
            [
                OnnxTensor.FromArray(new[] { 1.5f, -2f, 3f, 4f, 5f, 6f }, 2, 3),
                OnnxTensor.FromArray(new[] { 1.0, 2.0 }, 2),
                OnnxTensor.FromArray(new[] { 7L }),
                OnnxTensor.FromArray(new[] { 1, 2, 3, 4 }, 1, 2, 2),
                OnnxTensor.FromArray(new[] { true, false, true }, 3),
                OnnxTensor.FromArray(new byte[] { 0, 255 }, 2),
                OnnxTensor.FromArray(new[] { (Half)1.5f }, 1),
                OnnxTensor.FromArray(new float[0], 0, 4),
            ];
            for (int i = 0; i < tensors.Length; i++)
            {
                string path = Path.Combine(dir, $"{i}.npy");
                NpyInterim.Write(path, tensors[i]);
                var back = NpyInterim.Read(path);
                Assert.Equal(tensors[i].ElementType, back.ElementType);
                Assert.Equal(tensors[i].ShapeArray, back.ShapeArray);
                Assert.Equal(tensors[i].ToString(), back.ToString());
            }
            Assert.Equal(new[] { 1.5f, -2f, 3f, 4f, 5f, 6f }, NpyInterim.Read(Path.Combine(dir, "0.npy")).ToArray<float>());
            Assert.Equal(new[] { true, false, true }, NpyInterim.Read(Path.Combine(dir, "4.npy")).ToArray<bool>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ReadsAndWritesWhatNumPyWritesAndReads()
    {
        var dir = CliRunner.TempDir();
        try
        {
            string ours = Path.Combine(dir, "ours.npy");
            NpyInterim.Write(ours, OnnxTensor.FromArray(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 3, 2));
            string theirs = Path.Combine(dir, "theirs.npy");
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import sys\ntry:\n    import numpy as np\nexcept ImportError:\n    print('NO_NUMPY'); sys.exit(0)\n" +
                "a = np.load(sys.argv[1]); print(a.dtype, a.shape, a.sum())\nnp.save(sys.argv[2], np.arange(12, dtype=np.int64).reshape(3, 4))");
            psi.ArgumentList.Add(ours);
            psi.ArgumentList.Add(theirs);
            string text;
            try
            {
                using var p = Process.Start(psi)!;
                text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
                p.WaitForExit();
            }
            catch (System.ComponentModel.Win32Exception)
            {
                text = "NO_NUMPY";
            }
            if (text.Contains("NO_NUMPY"))
            {
                log.WriteLine("SKIPPED: /usr/bin/python3 with numpy is not installed.");
                return;
            }
            Assert.Contains("float32 (3, 2) 21.0", text);
            var back = NpyInterim.Read(theirs);
            Assert.Equal(OnnxElementType.Int64, back.ElementType);
            Assert.Equal([3, 4], back.ShapeArray);
            Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i).ToArray(), back.ToArray<long>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MalformedFilesNameTheProblem()
    {
        var dir = CliRunner.TempDir();
        try
        {
            string path = Path.Combine(dir, "bad.npy");
            File.WriteAllBytes(path, "not numpy at all"u8.ToArray());
            Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => NpyInterim.Read(path)).Message);
            void Header(string dict)
            {
                var header = System.Text.Encoding.ASCII.GetBytes(dict + "\n");
                File.WriteAllBytes(path, [0x93, .. "NUMPY"u8.ToArray(), 1, 0, (byte)header.Length, 0, .. header, .. new byte[8]]);
            }
            Header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }");
            Assert.Contains(">f4", Assert.Throws<InvalidDataException>(() => NpyInterim.Read(path)).Message);
            Header("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }");
            Assert.Contains("Fortran", Assert.Throws<InvalidDataException>(() => NpyInterim.Read(path)).Message);
            Header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
            Assert.Contains("needs 12 bytes", Assert.Throws<InvalidDataException>(() => NpyInterim.Read(path)).Message);
            Header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }");
            Assert.Equal([2], NpyInterim.Read(path).ShapeArray);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
