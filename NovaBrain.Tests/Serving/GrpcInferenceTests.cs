using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using NovaBrain.ModelServing.Protocol.Grpc;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Serving;

/// <summary>
/// The inference protocol's gRPC service through the gateway's gRPC port, called with a client generated from the
/// published proto, as any KServe or Triton client would call it.
/// </summary>
[TestClass]
public sealed class GrpcInferenceTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ModelInfer_WithRawAndTypedContents_GivesWhatOnnxRuntimeGives_AndMetadataMatchesRest()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        var (model, files) = await gateway.RegisterMlpAsync(1);
        var name = Auth.Accounts.Unique("mlp");
        await gateway.DeployAsync(name, $"models:/{model}/1");
        await gateway.WaitForStateAsync(name, "Ready");
        using var channel = GrpcChannel.ForAddress($"http://localhost:{system.GatewayGrpcPort}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var caller = new Metadata { { "authorization", $"Bearer {token}" } };
        var rows = ServingModels.RandomRows(2, seed: 21);
        var expected = ServingModels.RunDirectly(files[0], rows);

        var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = name }, caller, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual("onnxruntime_onnx", metadata.Platform);
        CollectionAssert.AreEqual(new long[] { -1, ServingModels.InputWidth }, metadata.Inputs.Single().Shape.ToArray());
        Assert.AreEqual("CPUExecutionProvider", metadata.Properties["provider"]);

        var raw = Request(name, rows);
        raw.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(rows.AsSpan())));
        var rawAnswer = await client.ModelInferAsync(raw, caller, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(("1", "grpc-1"), (rawAnswer.ModelVersion, rawAnswer.Id));
        CollectionAssert.AreEqual(new long[] { 2, ServingModels.OutputWidth }, rawAnswer.Outputs.Single().Shape.ToArray());
        ServingModels.AssertClose(expected, MemoryMarshal.Cast<byte, float>(rawAnswer.RawOutputContents.Single().Span).ToArray(), "raw contents");

        var typed = Request(name, rows);
        typed.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { rows } };
        var typedAnswer = await client.ModelInferAsync(typed, caller, cancellationToken: TestContext.CancellationToken);
        ServingModels.AssertClose(expected, MemoryMarshal.Cast<byte, float>(typedAnswer.RawOutputContents.Single().Span).ToArray(), "typed contents");

        var unknown = await Assert.ThrowsExactlyAsync<RpcException>(async () =>
            await client.ModelInferAsync(Request("no-such-model", rows), caller, cancellationToken: TestContext.CancellationToken));
        Assert.AreEqual(StatusCode.NotFound, unknown.StatusCode);

        var wrongShape = Request(name, rows);
        wrongShape.Inputs[0].Shape[1] = ServingModels.InputWidth - 1;
        wrongShape.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(rows.AsSpan())));
        var invalid = await Assert.ThrowsExactlyAsync<RpcException>(async () =>
            await client.ModelInferAsync(wrongShape, caller, cancellationToken: TestContext.CancellationToken));
        Assert.AreEqual(StatusCode.InvalidArgument, invalid.StatusCode);
        StringAssert.Contains(invalid.Status.Detail, "unexpected shape");
    }

    [TestMethod]
    public async Task TheServicesGrpcEndpoint_AnswersHealthAndLivenessToAnyone_AndInferenceOnlyToCallersWithAToken()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = GrpcChannel.ForAddress(system.App.GetEndpoint("model-serving", "grpc"));

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: TestContext.CancellationToken);
        var inference = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var live = await inference.ServerLiveAsync(new ServerLiveRequest(), cancellationToken: TestContext.CancellationToken);
        var anonymous = await Assert.ThrowsExactlyAsync<RpcException>(async () =>
            await inference.ModelInferAsync(Request("any", ServingModels.RandomRows(1, seed: 1)), cancellationToken: TestContext.CancellationToken));

        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.IsTrue(live.Live);
        Assert.AreEqual(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    [TestMethod]
    public async Task TheBenchmarksTransportFloor_IsNotServed_UnlessTheBenchmarkEnablesIt()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = GrpcChannel.ForAddress(system.App.GetEndpoint("model-serving", "grpc"));
        var floor = new Method<ModelInferRequest, ModelInferResponse>(
            MethodType.Unary, "novabrain.serving.benchmark.TransportFloor", "ModelInfer",
            Marshallers.Create(request => request.ToByteArray(), ModelInferRequest.Parser.ParseFrom),
            Marshallers.Create(response => response.ToByteArray(), ModelInferResponse.Parser.ParseFrom));
        var caller = new Metadata { { "authorization", $"Bearer {await system.FreshTokenAsync()}" } };

        var refused = await Assert.ThrowsExactlyAsync<RpcException>(async () => await channel.CreateCallInvoker().AsyncUnaryCall(
            floor, null, new CallOptions(caller, cancellationToken: TestContext.CancellationToken), Request("any", ServingModels.RandomRows(1, seed: 1))));

        Assert.AreEqual(StatusCode.Unimplemented, refused.StatusCode);
    }

    private static ModelInferRequest Request(string model, float[] rows)
    {
        var request = new ModelInferRequest { ModelName = model, Id = "grpc-1" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "input",
            Datatype = "FP32",
            Shape = { rows.Length / ServingModels.InputWidth, ServingModels.InputWidth },
        });
        return request;
    }
}
