using System.Buffers;
using System.Buffers.Binary;
using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace NovaBrain.ModelServing.Engines;

/// <summary>
/// One ONNX Runtime session over a model file, kept for the life of the model instance. Each run goes through an I/O
/// binding: inputs are bound as tensors over the caller's pinned memory (OrtValue API, no copy; a GPU provider copies
/// them to the device once), outputs to host memory the caller reads directly, which on a GPU provider is CUDA's
/// page-locked memory, so the device writes results there without a staging copy (ordinary host memory where the
/// runtime refuses it). Outputs stay in the runtime's memory until the caller has copied out what it needs.
/// </summary>
public sealed class OnnxRuntimeEngine : IInferenceEngine
{
    public const string PlatformName = "onnxruntime_onnx";

    private readonly InferenceSession session;
    private readonly SessionOptions options;
    private readonly RunOptions runOptions = new();
    private readonly ILogger logger;
    // Where a GPU provider writes outputs: CUDA's page-locked host memory, until the runtime refuses it.
    private readonly OrtMemoryInfo? pinnedOutputMemory;
    private volatile bool pinnedOutputsRefused;

    private OnnxRuntimeEngine(InferenceSession session, SessionOptions options, ExecutionProvider provider, int deviceId, EngineThreads threads, ILogger logger)
    {
        this.session = session;
        this.options = options;
        ExecutionProvider = provider;
        Threads = threads;
        this.logger = logger;
        pinnedOutputMemory = provider == ExecutionProvider.Cpu
            ? null
            : new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, deviceId, OrtMemType.CpuOutput);
        Inputs = session.InputNames.Select(name => SpecOf(name, session.InputMetadata[name])).ToArray();
        Outputs = session.OutputNames.Select(name => SpecOf(name, session.OutputMetadata[name])).ToArray();
    }

    public string Platform => PlatformName;

    public ExecutionProvider ExecutionProvider { get; }

    public string Provider => ExecutionProvider.OnnxRuntimeName();

    public EngineThreads Threads { get; }

    public IReadOnlyList<TensorSpec> Inputs { get; }

    public IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>
    /// Loads <paramref name="modelPath"/> with the first provider of <paramref name="settings"/> that can run it, each tried
    /// with fresh session options; one log line names the provider chosen and why earlier ones were passed over.
    /// </summary>
    /// <exception cref="EngineLoadException">
    /// No provider could load the model, or the first could not and <see cref="EngineSettings.RequireProvider"/> is set.
    /// </exception>
    public static OnnxRuntimeEngine Load(string modelPath, EngineSettings settings, ILogger logger)
    {
        return ExecutionProviders.LoadWithFirstAvailable(
            "ONNX Runtime", modelPath, settings, logger,
            provider => provider.OnnxRuntimeName(),
            provider =>
            {
                var (options, threads) = CreateSessionOptions();
                try
                {
                    AppendProvider(options, provider, settings);
                    return new OnnxRuntimeEngine(new InferenceSession(modelPath, options), options, provider, settings.DeviceId, threads, logger);
                }
                catch
                {
                    options.Dispose();
                    throw;
                }
            },
            exception => exception is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException ? exception.Message.Trim() : null);
    }

    private static (SessionOptions Options, EngineThreads Threads) CreateSessionOptions()
    {
        // Asked first: creating session options creates the environment, without the shared pool, when there is none yet.
        var shared = OnnxRuntimeEnvironment.HasSharedThreadPool;
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (shared)
        {
            options.DisablePerSessionThreads();
        }
        else
        {
            // The instance's own pool, as the shared one would be: sized to the machine, its threads never spinning.
            options.IntraOpNumThreads = OnnxRuntimeEnvironment.IntraOpThreads;
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }
        return (options, new EngineThreads(OnnxRuntimeEnvironment.IntraOpThreads, shared));
    }

    private static void AppendProvider(SessionOptions options, ExecutionProvider provider, EngineSettings settings)
    {
        switch (provider)
        {
            case ExecutionProvider.TensorRT:
                using (var tensorRt = new OrtTensorRTProviderOptions())
                {
                    var tensorRtOptions = new Dictionary<string, string>
                    {
                        ["device_id"] = settings.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["trt_fp16_enable"] = settings.Fp16 ? "1" : "0",
                    };
                    if (settings.TensorRtCacheFolder is { } cache)
                    {
                        Directory.CreateDirectory(cache);
                        tensorRtOptions["trt_engine_cache_enable"] = "1";
                        tensorRtOptions["trt_engine_cache_path"] = cache;
                        tensorRtOptions["trt_timing_cache_enable"] = "1";
                        tensorRtOptions["trt_timing_cache_path"] = cache;
                    }
                    tensorRt.UpdateOptions(tensorRtOptions);
                    options.AppendExecutionProvider_Tensorrt(tensorRt);
                }
                // Nodes TensorRT cannot run go to CUDA rather than to the CPU.
                AppendCuda(options, settings);
                break;
            case ExecutionProvider.Cuda:
                AppendCuda(options, settings);
                break;
        }
    }

    private static void AppendCuda(SessionOptions options, EngineSettings settings)
    {
        using var cuda = new OrtCUDAProviderOptions();
        cuda.UpdateOptions(new Dictionary<string, string>
        {
            ["device_id"] = settings.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["arena_extend_strategy"] = "kSameAsRequested",
        });
        options.AppendExecutionProvider_CUDA(cuda);
    }

    public EngineOutputs Run(IReadOnlyList<TensorData> inputs, IReadOnlyList<string> outputNames)
    {
        if (pinnedOutputMemory is not null && !pinnedOutputsRefused)
        {
            try
            {
                return RunBound(inputs, outputNames, pinnedOutputMemory);
            }
            catch (OnnxRuntimeException exception)
            {
                // The first run is the warm-up, so no request meets this.
                pinnedOutputsRefused = true;
                logger.LogWarning("ONNX Runtime ({Provider}) cannot write outputs to page-locked memory, so they go to ordinary host memory: {Reason}",
                    Provider, exception.Message.Trim());
            }
        }
        return RunBound(inputs, outputNames, OrtMemoryInfo.DefaultInstance);
    }

    private EngineOutputs RunBound(IReadOnlyList<TensorData> inputs, IReadOnlyList<string> outputNames, OrtMemoryInfo outputMemory)
    {
        var values = new OrtValue[inputs.Count];
        var pins = new MemoryHandle[inputs.Count];
        using var binding = session.CreateIoBinding();
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                values[i] = CreateInput(inputs[i], out pins[i]);
                binding.BindInput(inputs[i].Name, values[i]);
            }
            foreach (var name in outputNames)
            {
                binding.BindOutputToDevice(name, outputMemory);
            }
            binding.SynchronizeBoundInputs();
            var outputs = session.RunWithBoundResults(runOptions, binding);
            binding.SynchronizeBoundOutputs();
            return new OnnxOutputs(outputNames, outputs);
        }
        finally
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                values[i]?.Dispose();
                pins[i].Dispose();
            }
        }
    }

    private static unsafe OrtValue CreateInput(TensorData input, out MemoryHandle pin)
    {
        if (input.DataType == TensorDataType.Bytes)
        {
            pin = default;
            var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, input.Shape);
            var index = 0;
            foreach (var element in Tensors.BytesElements(input.Data))
            {
                strings.StringTensorSetElementAt(element.Span, index++);
            }
            return strings;
        }

        pin = input.Data.Pin();
        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance, input.DataType.ToOnnx(), input.Shape, (IntPtr)pin.Pointer, input.Data.Length);
    }

    private static TensorSpec SpecOf(string name, NodeMetadata metadata)
    {
        if (!metadata.IsTensor || !TensorDataTypes.TryFromOnnx(metadata.ElementDataType, out var type))
        {
            throw new EngineLoadException($"'{name}' is not a tensor of a type the inference protocol carries ({metadata.OnnxValueType}, {metadata.ElementDataType}).");
        }
        return new TensorSpec(name, type, metadata.Dimensions.Select(dimension => dimension < 0 ? -1L : dimension).ToArray());
    }

    public void Dispose()
    {
        session.Dispose();
        options.Dispose();
        runOptions.Dispose();
        pinnedOutputMemory?.Dispose();
    }

    private sealed class OnnxOutputs(IReadOnlyList<string> names, IDisposableReadOnlyCollection<OrtValue> values) : EngineOutputs
    {
        private readonly OrtValue[] outputs = values.ToArray();

        public override string Name(int output) => names[output];

        public override TensorDataType DataType(int output) =>
            TensorDataTypes.TryFromOnnx(outputs[output].GetTensorTypeAndShape().ElementDataType, out var type)
                ? type
                : throw new InvalidOperationException($"Output '{names[output]}' has a type the inference protocol cannot carry.");

        public override long[] Shape(int output) => outputs[output].GetTensorTypeAndShape().Shape;

        public override TensorData CopyRows(int output, long firstRow, long rows)
        {
            var value = outputs[output];
            var shape = Shape(output);
            var type = DataType(output);
            var total = Tensors.ElementCount(shape);
            var rowElements = shape.Length == 0 || shape[0] == 0 ? total : total / shape[0];
            var sliceShape = shape.Length == 0 ? shape : [rows, .. shape[1..]];

            if (type != TensorDataType.Bytes)
            {
                var elementSize = type.ElementSize();
                var bytes = value.GetTensorMutableRawData()
                    .Slice(checked((int)(firstRow * rowElements * elementSize)), checked((int)(rows * rowElements * elementSize)))
                    .ToArray();
                return new TensorData(names[output], type, sliceShape, bytes);
            }

            var first = (int)(firstRow * rowElements);
            var count = (int)(rows * rowElements);
            var size = 0;
            for (var i = first; i < first + count; i++)
            {
                size += sizeof(uint) + value.GetStringElementAsSpan(i).Length;
            }
            var encoded = new byte[size];
            var offset = 0;
            for (var i = first; i < first + count; i++)
            {
                var element = value.GetStringElementAsSpan(i);
                BinaryPrimitives.WriteUInt32LittleEndian(encoded.AsSpan(offset), (uint)element.Length);
                element.CopyTo(encoded.AsSpan(offset + sizeof(uint)));
                offset += sizeof(uint) + element.Length;
            }
            return new TensorData(names[output], type, sliceShape, encoded);
        }

        public override void Dispose() => values.Dispose();
    }
}
