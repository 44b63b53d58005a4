using Google.Protobuf;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NovaBrain.Onnx.Format;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace NovaBrain.ModelRegistry.Validation;

/// <summary>Why a model was refused: a problem reason (<see cref="ValidationRefusals"/>) and what exactly was wrong.</summary>
public sealed record ValidationRefusal(string Reason, string Title, string Detail);

public static class ValidationRefusals
{
    public const string InvalidOnnxModel = "invalid-onnx-model";
    public const string UnsupportedOpset = "unsupported-opset";
    public const string UnsupportedDatatype = "unsupported-datatype";
    public const string TrialInferenceFailed = "trial-inference-failed";
}

/// <summary>
/// Checks an ONNX file the way serving will use it: its opset is read from the ModelProto, ONNX Runtime loads it,
/// its signature is taken from the session, and one inference runs on generated inputs.
/// </summary>
public sealed partial class OnnxValidator(IOptions<ValidationOptions> options, ILogger<OnnxValidator> logger)
{
    public const string CpuExecutionProvider = "CPUExecutionProvider";
    public const string CudaExecutionProvider = "CUDAExecutionProvider";

    /// <summary>A passed <see cref="ValidationResult"/>, or the refusal that says why the file is not a usable model.</summary>
    public (ValidationResult? Passed, ValidationRefusal? Refused) Validate(string path)
    {
        long opset;
        try
        {
            opset = ReadDefaultOpset(path) ?? 0;
        }
        catch (InvalidProtocolBufferException exception)
        {
            return Refuse(ValidationRefusals.InvalidOnnxModel, "The file is not an ONNX model", $"It does not parse as an ONNX ModelProto: {exception.Message}");
        }

        var (min, max) = (options.Value.MinOpset, options.Value.MaxOpset);
        if (opset < min || opset > max)
        {
            return Refuse(ValidationRefusals.UnsupportedOpset, "The model's opset is not supported",
                opset == 0
                    ? $"The model imports no opset of the default ONNX domain; opsets {min} to {max} are supported."
                    : $"The model imports opset {opset} of the default ONNX domain; opsets {min} to {max} are supported.");
        }

        InferenceSession session;
        string provider;
        try
        {
            (session, provider) = Open(path);
        }
        catch (OnnxRuntimeException exception)
        {
            return Refuse(ValidationRefusals.InvalidOnnxModel, "ONNX Runtime cannot load the model", exception.Message);
        }

        using (session)
        {
            var reasons = new List<string>();
            var inputs = new List<TensorSpec>();
            foreach (var name in session.InputNames)
            {
                var metadata = session.InputMetadata[name];
                if (!metadata.IsTensor)
                {
                    return Refuse(ValidationRefusals.TrialInferenceFailed, "The model takes an input the registry cannot generate",
                        $"Input '{name}' is a {metadata.OnnxValueType}; a trial inference is run on generated tensors only.");
                }
                if (DatatypeOf(metadata.ElementDataType) is not { } datatype)
                {
                    return Refuse(ValidationRefusals.UnsupportedDatatype, "The model uses a datatype serving cannot carry",
                        $"Input '{name}' is of element type {metadata.ElementDataType}, which has no Open Inference Protocol datatype.");
                }
                inputs.Add(new TensorSpec(name, datatype, ShapeOf(metadata)));
            }

            var outputs = new List<TensorSpec>();
            foreach (var name in session.OutputNames)
            {
                var metadata = session.OutputMetadata[name];
                if (metadata.IsTensor && DatatypeOf(metadata.ElementDataType) is { } datatype)
                {
                    outputs.Add(new TensorSpec(name, datatype, ShapeOf(metadata)));
                }
                else
                {
                    reasons.Add($"output '{name}' ({metadata.OnnxValueType}) is not a tensor with an Open Inference Protocol datatype and is left out of the signature");
                }
            }

            if (TrialInference(session) is { } failure)
            {
                return Refuse(ValidationRefusals.TrialInferenceFailed, "The model failed a trial inference",
                    $"One inference on generated inputs of the declared shapes (variable dimensions 1) failed: {failure}");
            }

            reasons.Insert(0, $"loaded and ran one inference on {provider}");
            return (new ValidationResult(ValidationStatuses.Passed, reasons, new ModelSignature(inputs, outputs), opset, provider), null);
        }
    }

    /// <summary>
    /// The opset the model imports for the default domain (<c>""</c> or <c>ai.onnx</c>), read field by field so the
    /// graph (the weights) is skipped rather than held in memory a second time beside ONNX Runtime's copy.
    /// </summary>
    private static long? ReadDefaultOpset(string path)
    {
        using var file = File.OpenRead(path);
        using var input = new CodedInputStream(file);
        long? opset = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == ModelProto.OpsetImportFieldNumber &&
                WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                var import = new OperatorSetIdProto();
                input.ReadMessage(import);
                if (import.Domain is "" or "ai.onnx")
                {
                    opset = import.Version;
                }
            }
            else
            {
                input.SkipLastField();
            }
        }
        return opset;
    }

    private (InferenceSession Session, string Provider) Open(string path)
    {
        if (options.Value.UseCuda)
        {
            try
            {
                using var cuda = new OrtSessionOptions();
                cuda.AppendExecutionProvider_CUDA();
                return (new InferenceSession(path, cuda), CudaExecutionProvider);
            }
            catch (Exception exception) when (exception is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                LogCudaUnavailable(exception.Message);
            }
        }

        using var cpu = new OrtSessionOptions();
        return (new InferenceSession(path, cpu), CpuExecutionProvider);
    }

    /// <summary>
    /// Runs the model once on zero-filled inputs (empty strings for string tensors): zeros are valid everywhere an
    /// input is used as an index or a count, where random values would fail for reasons that are not the model's.
    /// </summary>
    private static string? TrialInference(InferenceSession session)
    {
        var values = new List<OrtValue>();
        try
        {
            foreach (var name in session.InputNames)
            {
                var metadata = session.InputMetadata[name];
                var shape = metadata.Dimensions.Select(dimension => dimension < 0 ? 1L : dimension).ToArray();
                if (metadata.IsString)
                {
                    values.Add(OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape));
                }
                else
                {
                    var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, metadata.ElementDataType, shape);
                    values.Add(value);
                    value.GetTensorMutableRawData().Clear();
                }
            }

            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, session.InputNames, values, session.OutputNames);
            return null;
        }
        catch (OnnxRuntimeException exception)
        {
            return exception.Message;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static long[] ShapeOf(NodeMetadata metadata) => metadata.Dimensions.Select(dimension => dimension < 0 ? -1L : dimension).ToArray();

    private static string? DatatypeOf(TensorElementType type) => type switch
    {
        TensorElementType.Bool => "BOOL",
        TensorElementType.UInt8 => "UINT8",
        TensorElementType.UInt16 => "UINT16",
        TensorElementType.UInt32 => "UINT32",
        TensorElementType.UInt64 => "UINT64",
        TensorElementType.Int8 => "INT8",
        TensorElementType.Int16 => "INT16",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Int64 => "INT64",
        TensorElementType.Float16 => "FP16",
        TensorElementType.Float => "FP32",
        TensorElementType.Double => "FP64",
        TensorElementType.BFloat16 => "BF16",
        TensorElementType.String => "BYTES",
        _ => null,
    };

    private static (ValidationResult?, ValidationRefusal?) Refuse(string reason, string title, string detail) => (null, new ValidationRefusal(reason, title, detail));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The CUDA execution provider cannot be used ({Error}); validating on the CPU")]
    private partial void LogCudaUnavailable(string error);
}
