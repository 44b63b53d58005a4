using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference = NovaBrain.ModelServing.Protocol.Grpc;
using Microsoft.ML.OnnxRuntime;

namespace NovaBrain.ServingBenchmarks;

/// <summary>Something that computes a model's output for a batch of rows; each call is one measured request.</summary>
public interface IInferenceTarget : IDisposable
{
    string Name { get; }

    /// <summary>Rows each call computes.</summary>
    int Rows { get; }

    Task InferAsync(CancellationToken cancellationToken);
}

/// <summary>ONNX Runtime in this process, on the CPU, <see cref="Rows"/> rows per run: the compute limit.</summary>
public sealed class OnnxRuntimeTarget : IInferenceTarget
{
    private readonly InferenceSession session;
    private readonly float[] input;
    private readonly long[] shape;

    public OnnxRuntimeTarget(byte[] model, int width, int rows)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        session = new InferenceSession(model, options);
        input = Generated(width, rows);
        shape = [rows, width];
        Rows = rows;
    }

    public string Name => $"onnxruntime b{Rows}";

    public int Rows { get; }

    public Task InferAsync(CancellationToken cancellationToken)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [value], ["output"]);
        return Task.CompletedTask;
    }

    public static float[] Generated(int width, int rows) => Enumerable.Range(0, width * rows).Select(i => (i % 97) / 97f - 0.5f).ToArray();

    public void Dispose() => session.Dispose();
}

/// <summary>
/// Model serving over gRPC: one row per ModelInfer, as raw input contents. With <paramref name="transportFloor"/>, the
/// same request goes to the transport floor instead, which answers a same-size response without inference.
/// </summary>
public sealed class GrpcTarget(string name, Uri address, string accessToken, string model, int width, bool transportFloor = false) : IInferenceTarget
{
    private readonly GrpcChannel channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
    });
    private readonly Metadata headers = new() { { "authorization", $"Bearer {accessToken}" } };
    private readonly Inference.ModelInferRequest request = Request(model, width);

    public string Name => name;

    public int Rows => 1;

    public async Task InferAsync(CancellationToken cancellationToken)
    {
        if (transportFloor)
        {
            await new Inference.TransportFloor.TransportFloorClient(channel).ModelInferAsync(request, headers, cancellationToken: cancellationToken);
        }
        else
        {
            await new Inference.GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelInferAsync(request, headers, cancellationToken: cancellationToken);
        }
    }

    private static Inference.ModelInferRequest Request(string model, int width)
    {
        var request = new Inference.ModelInferRequest { ModelName = model };
        request.Inputs.Add(new Inference.ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, width } });
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(OnnxRuntimeTarget.Generated(width, 1).AsSpan())));
        return request;
    }

    public void Dispose() => channel.Dispose();
}

/// <summary>Model serving over REST: one row per request, with the binary tensor data extension both ways.</summary>
public sealed class RestTarget : IInferenceTarget
{
    private readonly HttpClient client;
    private readonly string path;
    private readonly byte[] body;
    private readonly int headerLength;

    public RestTarget(string name, Uri address, string accessToken, string model, int width)
    {
        Name = name;
        client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        path = $"/v2/models/{model}/infer";
        var data = MemoryMarshal.AsBytes(OnnxRuntimeTarget.Generated(width, 1).AsSpan()).ToArray();
        var header = Encoding.UTF8.GetBytes(
            $$$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,{{{width}}}],"parameters":{"binary_data_size":{{{data.Length}}}}}],"parameters":{"binary_data_output":true}}""");
        headerLength = header.Length;
        body = [.. header, .. data];
    }

    public string Name { get; }

    public int Rows => 1;

    public async Task InferAsync(CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", headerLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await client.PostAsync(path, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    public void Dispose() => client.Dispose();
}
