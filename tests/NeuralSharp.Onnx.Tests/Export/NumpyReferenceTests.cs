using System.Diagnostics;
using NeuralSharp.Onnx.Export;
using Xunit.Abstractions;

namespace NeuralSharp.Onnx.Tests.Export;

/// <summary>
/// An independent check of every exported graph, including those the importer cannot run yet: a small NumPy interpreter
/// of the ONNX operators the exporter writes (float64, written from the ONNX operator definitions) runs each exported file
/// at opsets 13 and 17, and its output must match the native model's Forward within 1e-5 (relative).
/// Needs Debian's /usr/bin/python3 with numpy and onnx; skipped with a message otherwise.
/// </summary>
public class NumpyReferenceTests(ITestOutputHelper output)
{
    private const string Script = """
import sys, glob, numpy as np, onnx
from onnx import numpy_helper
from math import erf
verf = np.vectorize(erf)
def attrs(n): return {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
def sp(x): return np.log1p(np.exp(x))
def run(m, x):
    env = {i.name: numpy_helper.to_array(i).astype(np.float64) if numpy_helper.to_array(i).dtype==np.float32 else numpy_helper.to_array(i) for i in m.graph.initializer}
    env[m.graph.input[0].name] = x.astype(np.float64)
    for n in m.graph.node:
        a = attrs(n); i = [env[k] if k else None for k in n.input]; op = n.op_type
        if op == 'Gemm': y = i[0] @ (i[1].T if a.get('transB') else i[1]) + (i[2] if len(i) > 2 else 0)
        elif op == 'MatMul': y = i[0] @ i[1]
        elif op == 'Transpose': y = np.transpose(i[0], a['perm'])
        elif op in ('Add','Sub','Mul','Div','Pow'): y = {'Add':np.add,'Sub':np.subtract,'Mul':np.multiply,'Div':np.divide,'Pow':np.power}[op](i[0], i[1])
        elif op == 'Relu': y = np.maximum(i[0], 0)
        elif op == 'LeakyRelu': y = np.where(i[0] > 0, i[0], a['alpha'] * i[0])
        elif op == 'Sigmoid': y = 1/(1+np.exp(-i[0]))
        elif op == 'Tanh': y = np.tanh(i[0])
        elif op == 'Erf': y = verf(i[0])
        elif op == 'Softplus': y = sp(i[0])
        elif op == 'Clip': y = np.clip(i[0], i[1], i[2])
        elif op == 'Elu': y = np.where(i[0] > 0, i[0], a['alpha']*(np.exp(i[0])-1))
        elif op == 'Selu': y = 1.0507009873554804934193349852946*np.where(i[0] > 0, i[0], 1.6732632423543772848170429916717*(np.exp(i[0])-1))
        elif op == 'Celu': al=a['alpha']; y = np.maximum(0,i[0]) + np.minimum(0, al*(np.exp(i[0]/al)-1))
        elif op == 'HardSigmoid': y = np.clip(a['alpha']*i[0]+a['beta'], 0, 1)
        elif op == 'HardSwish': y = i[0]*np.clip(i[0]/6+0.5, 0, 1)
        elif op == 'Softsign': y = i[0]/(1+np.abs(i[0]))
        elif op == 'Neg': y = -i[0]
        elif op == 'Sqrt': y = np.sqrt(i[0])
        elif op == 'Identity': y = i[0]
        elif op == 'PRelu': y = np.where(i[0] > 0, i[0], i[1]*i[0])
        elif op == 'Reshape':
            s = [i[0].shape[k] if d == 0 else d for k, d in enumerate(i[1])]; y = i[0].reshape(s)
        elif op == 'Flatten': y = i[0].reshape(int(np.prod(i[0].shape[:a['axis']])), -1)
        elif op in ('Softmax','LogSoftmax'):
            ax = a['axis']; e = np.exp(i[0]-i[0].max(axis=ax, keepdims=True)); s = e/e.sum(axis=ax, keepdims=True); y = s if op=='Softmax' else np.log(s)
        elif op == 'ReduceMean': y = i[0].mean(axis=tuple(a['axes']), keepdims=bool(a.get('keepdims',1)))
        elif op == 'LayerNormalization':
            mu = i[0].mean(-1, keepdims=True); var = ((i[0]-mu)**2).mean(-1, keepdims=True); y = (i[0]-mu)/np.sqrt(var+a['epsilon'])*i[1] + (i[2] if len(i) > 2 else 0)
        elif op == 'BatchNormalization':
            sh = [1, -1] + [1]*(i[0].ndim-2); r = lambda t: t.reshape(sh)
            y = (i[0]-r(i[3]))/np.sqrt(r(i[4])+a['epsilon'])*r(i[1]) + r(i[2])
        elif op == 'Split':
            outs = np.split(i[0], len(n.output), axis=a['axis'])
            for k, o in zip(n.output, outs): env[k] = o
            continue
        else: raise Exception('op ' + op)
        env[n.output[0]] = y
    return env[m.graph.output[0].name]
worst = 0
for f in sorted(glob.glob(sys.argv[1] + '/*.onnx')):
    stem = f[:-5]; lines = open(stem+'.shape').read().split('\n'); shape = [int(v) for v in lines[0].split(',')]
    x = np.fromfile(stem+'.x', dtype=np.float32).reshape(shape); ref = np.fromfile(stem+'.y', dtype=np.float32)
    got = run(onnx.load(f), x).astype(np.float32).ravel()
    err = np.max(np.abs(got - ref) / np.maximum(1, np.abs(ref))) if ref.size else 0
    worst = max(worst, err)
    if err > 1e-5 or got.shape != ref.shape: print('MISMATCH', lines[1], err); worst = max(worst, 1.0)
print('checked', len(glob.glob(sys.argv[1] + '/*.onnx')), 'worst', worst)
sys.exit(1 if worst > 1e-5 else 0)
""";

    private static (int Code, string Text) RunPython(string dir)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(dir);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string text = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + text);
    }

    [Fact]
    public void NumpyInterpreterAgreesWithTheNativeModels()
    {
        if (!OnnxCheckerTests.HasOnnxPython(output)) return;
        var dir = Path.Combine(Path.GetTempPath(), "ns-onnx-numpy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            int n = 0;
            foreach (var c in ExportModels.All())
                foreach (int opset in new[] { 13, 17 })
                {
                    var model = c.Create();
                    string stem = Path.Combine(dir, $"{n++:D3}");
                    OnnxExporter.Save(model, stem + ".onnx", new OnnxExportOptions { InputShape = c.InputShape, Opset = opset });
                    int[] shape = [7, .. c.InputShape];
                    var x = OnnxExportTests.Inputs(7, c.InputShape, 3);
                    File.WriteAllBytes(stem + ".x", x.SelectMany(BitConverter.GetBytes).ToArray());
                    File.WriteAllText(stem + ".shape", string.Join(",", shape) + "\n" + c.Name + " opset " + opset);
                    File.WriteAllBytes(stem + ".y", OnnxExportTests.Native(model, x, shape).SelectMany(BitConverter.GetBytes).ToArray());
                }
            var (code, text) = RunPython(dir);
            output.WriteLine(text);
            Assert.True(code == 0, text);
            Assert.Contains($"checked {n} ", text);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
