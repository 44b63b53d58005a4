using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using NovaBrain.Grpc;
using NovaBrain.ModelServing.Engines;
using NovaBrain.Security;

namespace NovaBrain.ModelServing.Protocol.Grpc;

/// <summary>
/// The Open Inference Protocol's gRPC service (<c>inference.GRPCInferenceService</c>). Inputs come as typed contents or
/// as <c>raw_input_contents</c>, used in place without a copy; outputs always go back as <c>raw_output_contents</c>, as
/// Triton sends them, wrapping the batcher's buffers without a copy.
/// </summary>
public sealed class InferenceGrpcService(InferenceService inference) : GRPCInferenceService.GRPCInferenceServiceBase
{
    [AllowAnonymous]
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    [AllowAnonymous]
    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = true });

    [RequirePermission(Permissions.ModelsRead)]
    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Answer(() => new ModelReadyResponse { Ready = inference.IsReady(request.Name, request.Version) });

    [RequirePermission(Permissions.ModelsRead)]
    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse
        {
            Name = InferenceService.ServerName,
            Version = InferenceService.ServerVersion,
            Extensions = { InferenceService.Extensions },
        });

    [RequirePermission(Permissions.ModelsRead)]
    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) => Answer(() =>
    {
        var served = inference.Serving(request.Name, request.Version);
        var response = new ModelMetadataResponse { Name = served.Name, Versions = { inference.Versions(request.Name).Select(version => version.Version) }, Platform = served.Platform };
        response.Inputs.AddRange(served.Inputs.Select(Metadata));
        response.Outputs.AddRange(served.Outputs.Select(Metadata));
        foreach (var (key, value) in Rest.ModelMetadataBody.PropertiesOf(served))
        {
            response.Properties[key] = value;
        }
        return response;
    });

    [RequirePermission(Permissions.InferenceInvoke)]
    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        try
        {
            var response = await inference.InferAsync(Decode(request), context.CancellationToken);
            var answer = new ModelInferResponse { ModelName = response.Model, ModelVersion = response.Version, Id = response.Id ?? "" };
            foreach (var output in response.Outputs)
            {
                answer.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor
                {
                    Name = output.Name,
                    Datatype = output.DataType.ProtocolName(),
                    Shape = { output.Shape },
                });
                answer.RawOutputContents.Add(Wrap(output.Data));
            }
            return answer;
        }
        catch (InferenceException exception)
        {
            throw ToRpc(exception);
        }
    }

    [RequirePermission(Permissions.MonitoringRead)]
    public override Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context) => Answer(() =>
    {
        var response = new ModelStatisticsResponse();
        response.ModelStats.AddRange(inference.Statistics(request.Name, request.Version).Select(Statistics));
        return response;
    });

    [RequirePermission(Permissions.DeploymentsManage)]
    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        var response = new RepositoryIndexResponse();
        response.Models.AddRange(inference.Index(request.Ready).Select(entry => new RepositoryIndexResponse.Types.ModelIndex
        {
            Name = entry.Name,
            Version = entry.Version ?? "",
            State = entry.State,
            Reason = entry.Reason,
        }));
        return Task.FromResult(response);
    }

    [RequirePermission(Permissions.DeploymentsManage)]
    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        string? reference = null;
        if (request.Parameters.TryGetValue("reference", out var parameter))
        {
            reference = parameter.ParameterChoiceCase == ModelRepositoryParameter.ParameterChoiceOneofCase.StringParam
                ? parameter.StringParam
                : throw new RpcException(new Status(StatusCode.InvalidArgument, "the 'reference' parameter must be a string such as models:/name/3"));
        }
        try
        {
            await inference.LoadAsync(request.ModelName, reference, context.CancellationToken);
            return new RepositoryModelLoadResponse();
        }
        catch (InferenceException exception)
        {
            throw ToRpc(exception);
        }
    }

    [RequirePermission(Permissions.DeploymentsManage)]
    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        try
        {
            await inference.UnloadAsync(request.ModelName);
            return new RepositoryModelUnloadResponse();
        }
        catch (InferenceException exception)
        {
            throw ToRpc(exception);
        }
    }

    /// <exception cref="InferenceException">The request is malformed.</exception>
    public static InferenceRequest Decode(ModelInferRequest request)
    {
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            throw InferenceException.BadInput($"raw_input_contents has {raw.Count} entries for {request.Inputs.Count} inputs; it needs one per input");
        }

        var inputs = new List<TensorData>(request.Inputs.Count);
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            if (!TensorDataTypes.TryParse(input.Datatype, out var type))
            {
                throw InferenceException.BadInput($"input '{input.Name}' has an unknown datatype '{input.Datatype}'");
            }
            if (input.Shape.Any(dimension => dimension < 0))
            {
                throw InferenceException.BadInput($"input '{input.Name}' has a negative dimension");
            }
            var shape = input.Shape.ToArray();
            if (raw.Count > 0)
            {
                if (input.Contents is not null)
                {
                    throw InferenceException.BadInput($"input '{input.Name}' sets contents although raw_input_contents is used");
                }
                inputs.Add(new TensorData(input.Name, type, shape, raw[i].Memory));
            }
            else
            {
                inputs.Add(new TensorData(input.Name, type, shape, RawOf(input.Name, type, input.Contents)));
            }
        }

        TimeSpan? timeout = null;
        if (request.Parameters.TryGetValue("timeout", out var timeoutParameter))
        {
            timeout = timeoutParameter.ParameterChoiceCase == InferParameter.ParameterChoiceOneofCase.Int64Param && timeoutParameter.Int64Param > 0
                ? TimeSpan.FromMicroseconds(timeoutParameter.Int64Param)
                : throw InferenceException.BadInput("the 'timeout' parameter must be a positive int64 of microseconds");
        }

        var priority = 0;
        if (request.Parameters.TryGetValue("priority", out var priorityParameter))
        {
            priority = priorityParameter.ParameterChoiceCase switch
            {
                InferParameter.ParameterChoiceOneofCase.Int64Param when priorityParameter.Int64Param is >= 0 and <= int.MaxValue => (int)priorityParameter.Int64Param,
                InferParameter.ParameterChoiceOneofCase.Uint64Param when priorityParameter.Uint64Param <= int.MaxValue => (int)priorityParameter.Uint64Param,
                _ => throw InferenceException.BadInput("the 'priority' parameter must be a non-negative integer (0 for the default level)"),
            };
        }

        return new InferenceRequest(
            request.ModelName,
            string.IsNullOrEmpty(request.ModelVersion) ? null : request.ModelVersion,
            string.IsNullOrEmpty(request.Id) ? null : request.Id,
            inputs,
            request.Outputs.Select(output => output.Name).ToArray(),
            timeout,
            priority);
    }

    /// <summary>Typed contents as the raw little-endian form; FP16 and BF16 have no typed field and must come raw.</summary>
    private static byte[] RawOf(string name, TensorDataType type, InferTensorContents? contents)
    {
        contents ??= new InferTensorContents();
        switch (type)
        {
            case TensorDataType.Bool:
                return contents.BoolContents.Select(value => value ? (byte)1 : (byte)0).ToArray();
            case TensorDataType.UInt8:
                return contents.UintContents.Select(value => (byte)value).ToArray();
            case TensorDataType.Int8:
                return contents.IntContents.Select(value => (byte)(sbyte)value).ToArray();
            case TensorDataType.UInt16:
                return Raw(contents.UintContents.Select(value => (ushort)value).ToArray());
            case TensorDataType.Int16:
                return Raw(contents.IntContents.Select(value => (short)value).ToArray());
            case TensorDataType.UInt32:
                return Raw(contents.UintContents.ToArray());
            case TensorDataType.Int32:
                return Raw(contents.IntContents.ToArray());
            case TensorDataType.UInt64:
                return Raw(contents.Uint64Contents.ToArray());
            case TensorDataType.Int64:
                return Raw(contents.Int64Contents.ToArray());
            case TensorDataType.Fp32:
                return Raw(contents.Fp32Contents.ToArray());
            case TensorDataType.Fp64:
                return Raw(contents.Fp64Contents.ToArray());
            case TensorDataType.Bytes:
                var encoded = new byte[contents.BytesContents.Sum(element => sizeof(uint) + element.Length)];
                var offset = 0;
                foreach (var element in contents.BytesContents)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(encoded.AsSpan(offset), (uint)element.Length);
                    element.Span.CopyTo(encoded.AsSpan(offset + sizeof(uint)));
                    offset += sizeof(uint) + element.Length;
                }
                return encoded;
            default:
                throw InferenceException.BadInput($"input '{name}' of {type.ProtocolName()} must be sent in raw_input_contents");
        }
    }

    // The protocol's raw form is little-endian, as the memory of every platform .NET serves on.
    private static byte[] Raw<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static ByteString Wrap(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? UnsafeByteOperations.UnsafeWrap(segment.Array)
            : UnsafeByteOperations.UnsafeWrap(data);

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(TensorSpec spec) =>
        new() { Name = spec.Name, Datatype = spec.DataType.ProtocolName(), Shape = { spec.Shape } };

    private static global::NovaBrain.ModelServing.Protocol.Grpc.ModelStatistics Statistics(Metrics.ModelStatistics statistics)
    {
        var result = new global::NovaBrain.ModelServing.Protocol.Grpc.ModelStatistics
        {
            Name = statistics.Model,
            Version = statistics.Version,
            LastInference = (ulong)statistics.LastInferenceMilliseconds,
            InferenceCount = (ulong)statistics.InferenceCount,
            ExecutionCount = (ulong)statistics.ExecutionCount,
            InferenceStats = new InferStatistics
            {
                Success = Duration(statistics.Success),
                Fail = Duration(statistics.Failure),
                Queue = Duration(statistics.Queue),
                ComputeInput = Duration(statistics.ComputeInput),
                ComputeInfer = Duration(statistics.ComputeInfer),
                ComputeOutput = Duration(statistics.ComputeOutput),
            },
        };
        result.BatchStats.AddRange(statistics.Batches.OrderBy(batch => batch.Key).Select(batch => new InferBatchStatistics
        {
            BatchSize = (ulong)batch.Key,
            ComputeInput = Duration(batch.Value.Input),
            ComputeInfer = Duration(batch.Value.Infer),
            ComputeOutput = Duration(batch.Value.Output),
        }));
        return result;
    }

    private static StatisticDuration Duration((long Count, long Nanoseconds) duration) =>
        new() { Count = (ulong)duration.Count, Ns = (ulong)duration.Nanoseconds };

    private static Task<T> Answer<T>(Func<T> answer)
    {
        try
        {
            return Task.FromResult(answer());
        }
        catch (InferenceException exception)
        {
            throw ToRpc(exception);
        }
    }

    internal static RpcException ToRpc(InferenceException exception)
    {
        var trailers = new Metadata();
        if (exception.Error == InferenceError.ResourceExhausted)
        {
            trailers.Add("retry-after", "1");
        }
        return new RpcException(new Status(exception.GrpcStatus, exception.Message), trailers);
    }
}
