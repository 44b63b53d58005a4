using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NovaBrain.ModelServing.Engines;

/// <summary>
/// A TorchScript model (<c>torch.jit.save</c>) loaded by libtorch through TorchSharp, on a CUDA device where libtorch
/// has one and on the CPU otherwise. TorchScript files carry no tensor names or shapes, so the model is described by
/// the signature registered with it: its inputs are passed to <c>forward</c> positionally in the signature's order,
/// and what <c>forward</c> returns (a tensor, or a tuple or list of them) is named by the signature's outputs in order.
/// </summary>
public sealed class TorchScriptEngine : IInferenceEngine
{
    public const string PlatformName = "pytorch_libtorch";

    private readonly jit.ScriptModule module;
    private readonly Device device;

    private TorchScriptEngine(jit.ScriptModule module, Device device, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs)
    {
        this.module = module;
        this.device = device;
        Inputs = inputs;
        Outputs = outputs;
    }

    public string Platform => PlatformName;

    /// <summary>The libtorch device that runs the model: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public string Provider => device.ToString();

    /// <summary>libtorch's intra-op pool, one for the whole process.</summary>
    public EngineThreads Threads => new(get_num_threads(), Shared: true);

    public IReadOnlyList<TensorSpec> Inputs { get; }

    public IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>
    /// Loads <paramref name="modelPath"/> on the first of <paramref name="settings"/>' providers libtorch has (CUDA or the
    /// CPU; TensorRT runs ONNX models only), with one log line naming the device chosen and why earlier ones were passed over.
    /// </summary>
    /// <exception cref="EngineLoadException">
    /// The signature does not describe a model libtorch can run, no provider could load it, or the first could not and
    /// <see cref="EngineSettings.RequireProvider"/> is set.
    /// </exception>
    public static TorchScriptEngine Load(string modelPath, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs, EngineSettings settings, ILogger logger)
    {
        if (inputs.Count == 0 || outputs.Count == 0)
        {
            throw new EngineLoadException("A TorchScript model is served by the signature registered with it, which names no inputs or no outputs.");
        }
        if (inputs.Concat(outputs).FirstOrDefault(spec => !TryScalarType(spec.DataType, out _)) is { } unsupported)
        {
            throw new EngineLoadException($"'{unsupported.Name}' is {unsupported.DataType.ProtocolName()}, which libtorch has no tensor type for.");
        }
        return ExecutionProviders.LoadWithFirstAvailable(
            "libtorch", modelPath, settings, logger,
            provider => provider.ToString(),
            provider =>
            {
                var device = DeviceFor(provider, settings.DeviceId);
                var module = jit.load(modelPath, device.type, device.index);
                module.eval();
                return new TorchScriptEngine(module, device, inputs, outputs);
            },
            exception => exception is ExternalException or NotSupportedException ? FirstLine(exception.Message) : null);
    }

    private static Device DeviceFor(ExecutionProvider provider, int deviceId) => provider switch
    {
        ExecutionProvider.Cpu => CPU,
        ExecutionProvider.Cuda when cuda.is_available() => new Device(DeviceType.CUDA, deviceId),
        ExecutionProvider.Cuda => throw new NotSupportedException("libtorch has no CUDA device here"),
        _ => throw new NotSupportedException("TensorRT runs ONNX models only"),
    };

    // libtorch's messages go on with a native stack trace after their first line.
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    public EngineOutputs Run(IReadOnlyList<TensorData> inputs, IReadOnlyList<string> outputNames)
    {
        using var noGrad = no_grad();
        var arguments = new Tensor[Inputs.Count];
        try
        {
            foreach (var input in inputs)
            {
                var position = IndexOf(Inputs, input.Name);
                arguments[position] = CreateInput(input);
            }
            object result;
            try
            {
                result = module.call(arguments);
            }
            catch (ExternalException exception)
            {
                throw new InvalidOperationException(FirstLine(exception.Message), exception);
            }
            return new TorchOutputs(Outputs, outputNames, Unpack(result));
        }
        finally
        {
            foreach (var argument in arguments)
            {
                argument?.Dispose();
            }
        }
    }

    /// <summary>A tensor on the model's device holding a copy of <paramref name="input"/>.</summary>
    private Tensor CreateInput(TensorData input)
    {
        TryScalarType(input.DataType, out var type);
        var host = empty(input.Shape, type);
        input.Data.Span.CopyTo(host.bytes);
        if (device.type == DeviceType.CPU)
        {
            return host;
        }
        using (host)
        {
            return host.to(device);
        }
    }

    /// <summary>The tensors <c>forward</c> returned, in order, each contiguous in CPU memory.</summary>
    private Tensor[] Unpack(object result)
    {
        object?[] returned = result switch
        {
            Tensor tensor => [tensor],
            IEnumerable<Tensor> tensors => [.. tensors],
            System.Runtime.CompilerServices.ITuple tuple => Enumerable.Range(0, tuple.Length).Select(i => tuple[i]).ToArray(),
            IEnumerable<object> items => [.. items],
            _ => [result],
        };
        if (returned.Length != Outputs.Count || returned.Any(item => item is not Tensor))
        {
            foreach (var tensor in returned.OfType<Tensor>())
            {
                tensor.Dispose();
            }
            throw new InvalidOperationException(
                $"forward returned {returned.Length} value(s) ({string.Join(", ", returned.Select(item => item?.GetType().Name ?? "null"))}); the signature names {Outputs.Count} tensor output(s).");
        }

        var outputs = new Tensor[returned.Length];
        for (var i = 0; i < returned.Length; i++)
        {
            var tensor = (Tensor)returned[i]!;
            if (tensor.device_type == DeviceType.CPU && tensor.is_contiguous())
            {
                outputs[i] = tensor;
                continue;
            }
            using (tensor)
            {
                using var onHost = tensor.cpu();
                outputs[i] = onHost.contiguous();
            }
        }
        return outputs;
    }

    private static bool TryScalarType(TensorDataType type, out ScalarType scalarType)
    {
        ScalarType? mapped = type switch
        {
            TensorDataType.Bool => ScalarType.Bool,
            TensorDataType.UInt8 => ScalarType.Byte,
            TensorDataType.Int8 => ScalarType.Int8,
            TensorDataType.Int16 => ScalarType.Int16,
            TensorDataType.Int32 => ScalarType.Int32,
            TensorDataType.Int64 => ScalarType.Int64,
            TensorDataType.Fp16 => ScalarType.Float16,
            TensorDataType.Bf16 => ScalarType.BFloat16,
            TensorDataType.Fp32 => ScalarType.Float32,
            TensorDataType.Fp64 => ScalarType.Float64,
            _ => null,
        };
        scalarType = mapped.GetValueOrDefault();
        return mapped.HasValue;
    }

    private static int IndexOf(IReadOnlyList<TensorSpec> specs, string name)
    {
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].Name == name)
            {
                return i;
            }
        }
        throw new ArgumentException($"'{name}' is not an input of the model.", nameof(name));
    }

    public void Dispose() => module.Dispose();

    /// <summary>The outputs asked for, out of everything <c>forward</c> returned; those not asked for are freed at once.</summary>
    private sealed class TorchOutputs : EngineOutputs
    {
        private readonly IReadOnlyList<string> names;
        private readonly Tensor[] tensors;
        private readonly TensorDataType[] types;

        public TorchOutputs(IReadOnlyList<TensorSpec> specs, IReadOnlyList<string> names, Tensor[] returned)
        {
            this.names = names;
            tensors = new Tensor[names.Count];
            types = new TensorDataType[names.Count];
            try
            {
                for (var i = 0; i < names.Count; i++)
                {
                    var position = IndexOf(specs, names[i]);
                    var spec = specs[position];
                    TryScalarType(spec.DataType, out var expected);
                    if (returned[position].dtype != expected)
                    {
                        throw new InvalidOperationException(
                            $"Output '{spec.Name}' is {returned[position].dtype}; the signature says {spec.DataType.ProtocolName()}.");
                    }
                    (tensors[i], types[i]) = (returned[position], spec.DataType);
                }
            }
            catch
            {
                foreach (var tensor in returned)
                {
                    tensor.Dispose();
                }
                throw;
            }
            foreach (var unused in returned.Except(tensors))
            {
                unused.Dispose();
            }
        }

        public override string Name(int output) => names[output];

        public override TensorDataType DataType(int output) => types[output];

        public override long[] Shape(int output) => tensors[output].shape;

        public override TensorData CopyRows(int output, long firstRow, long rows)
        {
            var shape = Shape(output);
            var total = Tensors.ElementCount(shape);
            var rowElements = shape.Length == 0 || shape[0] == 0 ? total : total / shape[0];
            var sliceShape = shape.Length == 0 ? shape : [rows, .. shape[1..]];
            var elementSize = types[output].ElementSize();
            var bytes = tensors[output].bytes
                .Slice(checked((int)(firstRow * rowElements * elementSize)), checked((int)(rows * rowElements * elementSize)))
                .ToArray();
            return new TensorData(names[output], types[output], sliceShape, bytes);
        }

        public override void Dispose()
        {
            foreach (var tensor in tensors)
            {
                tensor.Dispose();
            }
        }
    }
}
