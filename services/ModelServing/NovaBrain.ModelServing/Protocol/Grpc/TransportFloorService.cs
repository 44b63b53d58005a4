using Google.Protobuf;
using Grpc.Core;
using NovaBrain.Grpc;
using NovaBrain.ModelServing.Engines;
using NovaBrain.Security;

namespace NovaBrain.ModelServing.Protocol.Grpc;

/// <summary>
/// The benchmark's transport floor (<c>novabrain.serving.benchmark.TransportFloor</c>): answers a ModelInfer request
/// through the same server stack as the inference protocol, with outputs of the size the deployment's model would send
/// (zeros), but without validating, queueing or computing anything. Mapped only when the benchmark enables it.
/// </summary>
public sealed class TransportFloorService(InferenceService inference) : TransportFloor.TransportFloorBase
{
    [RequirePermission(Permissions.InferenceInvoke)]
    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        try
        {
            var served = inference.Serving(request.ModelName, string.IsNullOrEmpty(request.ModelVersion) ? null : request.ModelVersion);
            var rows = request.Inputs.Count > 0 && request.Inputs[0].Shape.Count > 0 ? request.Inputs[0].Shape[0] : 1;
            if (rows < 1 || rows > Math.Max(1, served.Batching.MaxBatchSize))
            {
                throw InferenceException.BadInput($"the first input's batch size must be between 1 and {Math.Max(1, served.Batching.MaxBatchSize)}, got {rows}");
            }
            var answer = new ModelInferResponse { ModelName = served.Name, ModelVersion = served.Version, Id = request.Id };
            foreach (var output in served.Outputs)
            {
                var shape = output.Shape.Select((dimension, index) => dimension >= 0 ? dimension : index == 0 ? rows : 1).ToArray();
                // An empty BYTES element is its 4-byte length prefix.
                var elementSize = output.DataType == TensorDataType.Bytes ? sizeof(uint) : output.DataType.ElementSize();
                answer.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.DataType.ProtocolName(), Shape = { shape } });
                answer.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(new byte[Tensors.ElementCount(shape) * elementSize]));
            }
            return Task.FromResult(answer);
        }
        catch (InferenceException exception)
        {
            throw InferenceGrpcService.ToRpc(exception);
        }
    }
}
