using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using NovaBrain.ModelServing.Protocol.Grpc;
using NovaBrain.Tests.EndToEnd;
using NovaBrain.Tests.Registry;

namespace NovaBrain.Tests.Serving;

/// <summary>
/// A TorchScript model saved by PyTorch, registered with its signature, deployed and called over the inference protocol
/// (REST and gRPC, through the gateway); the answers are compared with the outputs PyTorch recorded.
/// </summary>
[TestClass]
public sealed class TorchScriptServingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Deploy_OfATorchScriptVersion_ServesItOverRestAndGrpc_GivingWhatPyTorchGave()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        var model = await gateway.CreateModelAsync();
        using (var registered = await gateway.RegisterAsync(
            model, await File.ReadAllBytesAsync(TorchScriptFixture.ModelPath, TestContext.CancellationToken), new { format = "torchscript", signature = TorchScriptFixture.Signature }))
        {
            Assert.AreEqual(HttpStatusCode.Created, registered.StatusCode, await registered.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
        var name = Auth.Accounts.Unique("torchscript");

        await gateway.DeployAsync(name, $"models:/{model}/1");
        var ready = await gateway.WaitForStateAsync(name, "Ready");
        Assert.AreEqual(("pytorch_libtorch", "cpu"), (ready.Serving!.Platform, ready.Serving.Provider));

        using var json = await gateway.PostAsJsonAsync($"/v2/models/{name}/infer", new
        {
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { TorchScriptFixture.Rows, TorchScriptFixture.InputWidth }, data = TorchScriptFixture.Input } },
        }, TestContext.CancellationToken);
        ServingModels.AssertClose(TorchScriptFixture.PyTorchOutput, await json.OutputOfAsync(), "REST inference");

        var metadata = JsonDocument.Parse(await gateway.GetStringAsync($"/v2/models/{name}", TestContext.CancellationToken)).RootElement;
        Assert.AreEqual("pytorch_libtorch", metadata.GetProperty("platform").GetString());
        CollectionAssert.AreEqual(new long[] { -1, TorchScriptFixture.InputWidth }, metadata.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
        CollectionAssert.AreEqual(new long[] { -1, TorchScriptFixture.OutputWidth }, metadata.GetProperty("outputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());

        using var channel = GrpcChannel.ForAddress($"http://localhost:{system.GatewayGrpcPort}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new ModelInferRequest { ModelName = name, Id = "torchscript-1" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "input",
            Datatype = "FP32",
            Shape = { TorchScriptFixture.Rows, TorchScriptFixture.InputWidth },
        });
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(TorchScriptFixture.Input.AsSpan())));
        var answer = await client.ModelInferAsync(request, new Metadata { { "authorization", $"Bearer {token}" } }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(("1", "torchscript-1"), (answer.ModelVersion, answer.Id));
        CollectionAssert.AreEqual(new long[] { TorchScriptFixture.Rows, TorchScriptFixture.OutputWidth }, answer.Outputs.Single().Shape.ToArray());
        ServingModels.AssertClose(TorchScriptFixture.PyTorchOutput, MemoryMarshal.Cast<byte, float>(answer.RawOutputContents.Single().Span).ToArray(), "gRPC inference");
    }

    [TestMethod]
    public async Task Deploy_OfATorchScriptVersionWithoutASignature_Fails_SayingItNeedsOne()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient(await system.FreshTokenAsync());
        var model = await gateway.CreateModelAsync();
        using (var registered = await gateway.RegisterAsync(
            model, await File.ReadAllBytesAsync(TorchScriptFixture.ModelPath, TestContext.CancellationToken), new { format = "torchscript" }))
        {
            Assert.AreEqual(HttpStatusCode.Created, registered.StatusCode, await registered.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
        var name = Auth.Accounts.Unique("torchscript");

        await gateway.DeployAsync(name, $"models:/{model}/1");
        var failed = await gateway.WaitForStateAsync(name, "Failed");

        StringAssert.Contains(failed.Reason, "signature");
    }
}
